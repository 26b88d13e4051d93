using System.Net.WebSockets;

namespace Channels.Transport;

/// <summary>
/// The WebSocket an Engine.IO session runs on: ASP.NET Core's, inside the upgraded request
/// (<see cref="ManagedWebSocketLink"/>), or our own framing on a connection taken from Kestrel's HTTP layer
/// (<see cref="Handoff.PipeWebSocket"/>). Sends are made one at a time by the session's writer (the open
/// packet, then its queue); receives by its reader.
/// </summary>
internal interface IEngineWebSocket : IDisposable
{
    /// <summary>Whether a close frame may still be sent (open, or the client's close received).</summary>
    bool CanClose { get; }

    /// <summary>Sends one whole message.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken);

    /// <summary>
    /// Reads until the session or the socket ends, handing each message to the session
    /// (<see cref="WebSocketTransport.DeliverAsync"/>).
    /// </summary>
    Task ReadLoopAsync(EngineServer server, EngineSession session);

    /// <summary>The next whole data message (its bytes valid until the next call), or null when the client closed.</summary>
    ValueTask<WebSocketMessage?> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Sends the close frame (status and a reason of at most 123 bytes).</summary>
    Task CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken);

    /// <summary>Cuts the connection off: pending receives and sends end.</summary>
    void Abort();

    /// <summary>Starts a batch: sends are gathered until <see cref="UncorkAsync"/>.</summary>
    void Cork();

    /// <summary>Ends a batch and writes out what it gathered.</summary>
    ValueTask UncorkAsync();

    /// <summary>Ends a batch that failed part way.</summary>
    void Reset();
}

/// <summary>ASP.NET Core's WebSocket, its messages gathered by a <see cref="WebSocketMessageBuffer"/>, its writes corked when the stream allows.</summary>
internal sealed class ManagedWebSocketLink(WebSocket socket, CorkedStream? corked, int maxMessageBytes) : IEngineWebSocket
{
    private readonly WebSocketMessageBuffer _buffer = new(maxMessageBytes);

    public bool CanClose => socket.State is WebSocketState.Open or WebSocketState.CloseReceived;

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken) =>
        socket.SendAsync(data, type, endOfMessage: true, cancellationToken);

    /// <summary>
    /// The session's reader: idle, it waits in its own zero-byte read, holding no buffer (the buffer reads the
    /// rest of a message, with no state machine of its own unless the message comes in pieces).
    /// </summary>
    public async Task ReadLoopAsync(EngineServer server, EngineSession session)
    {
        try
        {
            while (!session.IsClosed)
            {
                _buffer.Release();
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (!await WebSocketTransport.DeliverAsync(server, session, await _buffer.ReceiveRestAsync(socket, first, CancellationToken.None)))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            session.Abort(EngineCloseReason.TransportError);
        }
    }

    public ValueTask<WebSocketMessage?> ReceiveAsync(CancellationToken cancellationToken) => _buffer.ReceiveAsync(socket, cancellationToken);

    public Task CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken) =>
        socket.CloseOutputAsync(status, reason, cancellationToken);

    public void Abort() => socket.Abort();

    public void Cork() => corked?.Cork();

    public ValueTask UncorkAsync() => corked?.UncorkAsync() ?? ValueTask.CompletedTask;

    public void Reset() => corked?.Reset();

    public void Dispose()
    {
        _buffer.Release();
        socket.Dispose();
    }
}
