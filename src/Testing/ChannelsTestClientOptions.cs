using System.Text.Json;

namespace Channels.Testing;

/// <summary>How a <see cref="ChannelsTestClient"/> connects and how long it waits.</summary>
public sealed class ChannelsTestClientOptions
{
    /// <summary>The path the app maps with <c>MapChannels</c>. Default <c>/socket.io</c>.</summary>
    public string Path { get; set; } = "/socket.io";

    /// <summary>The Socket.IO namespace to connect to. Default <c>/</c>.</summary>
    public string Namespace { get; set; } = "/";

    /// <summary>The CONNECT payload (socket.io-client's <c>auth</c>), serialized with <see cref="JsonOptions"/>; null for none.</summary>
    public object? Auth { get; set; }

    /// <summary>Query string parameters added to the connection's URL (socket.io-client's <c>query</c>).</summary>
    public IDictionary<string, string> Query { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Request headers of the WebSocket handshake (for example <c>Origin</c> or <c>Authorization</c>).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a connect, an ack or <see cref="ChannelsTestClient.NextAsync(string?, TimeSpan?, CancellationToken)"/> waits before it fails. Default 5 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many received events may wait unread; one more fails the next read with a message saying so
    /// (a test that never reads what it receives should not grow without bound). Default 10,000.
    /// </summary>
    public int MaxUnreadEvents { get; set; } = 10_000;

    /// <summary>
    /// Answers to the server's <c>EmitWithAckAsync</c>, by event name, in place from the first packet; the
    /// same as calling <see cref="ChannelsTestClient.Answer"/> after connecting.
    /// </summary>
    public IDictionary<string, Func<ReceivedEvent, object?>> Answers { get; } = new Dictionary<string, Func<ReceivedEvent, object?>>(StringComparer.Ordinal);

    /// <summary>How arguments are written and <see cref="ReceivedEvent.Get{T}"/> reads them. Default: the web defaults (camelCase).</summary>
    public JsonSerializerOptions JsonOptions { get; set; } = JsonSerializerOptions.Web;
}
