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

    [Theory]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n\r\n", true)]
    [InlineData("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n", false)]
    [InlineData("GET /socket.io/?EIO=4&transport=webs", null)]
    public void A_request_line_split_across_segments_reads_as_it_does_whole(string start, bool? expected)
    {
        var paths = new HandoffPaths();
        paths.Add("/socket.io");
        var bytes = Encoding.ASCII.GetBytes(start);

        // Every split into two segments, and every byte in a segment of its own.
        for (var at = 1; at < bytes.Length; at++)
        {
            Assert.True(expected == paths.IsHandshake(Segments(bytes[..at], bytes[at..])), $"split at {at}");
        }

        Assert.Equal(expected, paths.IsHandshake(Segments([.. bytes.Select(b => new[] { b })])));
    }

    [Fact]
    public void A_split_request_line_longer_than_the_limit_is_not_one()
    {
        var paths = new HandoffPaths();
        paths.Add("/socket.io");
        var line = Encoding.ASCII.GetBytes("GET /socket.io/?EIO=4&transport=websocket&pad=" + new string('x', HandoffPaths.MaxRequestLine));

        Assert.False(paths.IsHandshake(Segments(line[..100], line[100..])));
    }

    /// <summary>A sequence of the given segments, in order, as a pipe's reader may hand them over.</summary>
    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(part);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
