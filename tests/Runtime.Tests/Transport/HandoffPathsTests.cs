using System.Buffers;
using System.Text;
using Channels.Transport.Handoff;

namespace Channels.Tests.Transport;

/// <summary>Which first request lines make a connection a candidate for the WebSocket handoff (issue 18).</summary>
public sealed class HandoffPathsTests
{
    [Theory]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n\r\n", true)]
    [InlineData("GET /Socket.IO/?transport=websocket&EIO=4 HTTP/1.1\r\n", true)]
    [InlineData("GET /chat/?EIO=4&transport=websocket HTTP/1.1\r\n", true)]
    [InlineData("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n", false)]
    [InlineData("POST /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n", false)]
    [InlineData("GET /other/?EIO=4&transport=websocket HTTP/1.1\r\n", false)]
    [InlineData("GET /socket.iox/?EIO=4&transport=websocket HTTP/1.1\r\n", false)]
    [InlineData("GET /index.html HTTP/1.1\r\nX: transport=websocket\r\n", false)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false)]
    [InlineData("\u0016\u0003\u0001", false)]
    [InlineData("GE", null)]
    [InlineData("GET /socket.io/?EIO=4&transport=webs", null)]
    public void A_first_request_line_is_a_handshake_for_a_mapped_path_or_not_or_not_yet_known(string start, bool? expected)
    {
        var paths = new HandoffPaths();
        paths.Add("/socket.io");
        paths.Add("/chat/");

        Assert.Equal(expected, paths.IsHandshake(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(start))));
    }

    [Fact]
    public void A_request_line_longer_than_the_limit_is_not_one()
    {
        var paths = new HandoffPaths();
        paths.Add("/socket.io");

        var line = "GET /socket.io/?EIO=4&transport=websocket&pad=" + new string('x', HandoffPaths.MaxRequestLine);

        Assert.False(paths.IsHandshake(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line))));
    }
}
