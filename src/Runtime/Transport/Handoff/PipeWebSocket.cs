using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace Channels.Transport.Handoff;

/// <summary>
/// The server side of RFC 6455 on a taken-over connection's pipes, without extensions or subprotocols:
/// frames read straight from the input pipe (unmasked while copied into the message buffer, which exists
/// only while a message is arriving), frames written straight into the output pipe. An idle connection
/// waits in one pipe read and holds no buffer. A message larger than the limit is refused from its first
/// frame's header, before any of it is read. Protocol errors end the connection with close code 1002
/// (1007 for a text message that is not UTF-8). Writing is in <c>PipeWebSocket.Writing.cs</c>.
/// </summary>
internal sealed partial class PipeWebSocket : IEngineWebSocket
{
    private const int MaxControlPayload = 125;
    private const int InitialMessageBuffer = 4096;

    private readonly PipeReader _input;
    private readonly int _maxMessageBytes;

    // The data message being read: its type, the bytes so far (pooled), and the frame in progress.
    private byte[]? _message;
    private int _length;
    private WebSocketMessageType _messageType;
    private bool _inMessage;
    private long _frameRemaining;
    private bool _frameFinal;
    private uint _mask;
    private int _maskOffset;
    private long _refusedSize;
    private bool _discarding;

    // The payload of the last ping read and not yet answered.
    private byte[]? _unansweredPing;

    /// <summary>A WebSocket on <paramref name="connection"/>'s transport, whose handshake has been answered.</summary>
    public PipeWebSocket(ConnectionContext connection, int maxMessageBytes)
    {
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>
    /// The session's reader: waits in the pipe read itself (one state machine while idle), reads frames,
    /// answers pings, and hands each whole message to the session.
    /// </summary>
    public async Task ReadLoopAsync(EngineServer server, EngineSession session)
    {
        try
        {
            while (true)
            {
                ReleaseMessage();
                var frame = Take(await _input.ReadAsync());
                await ActAsync(frame);
                if (frame.Kind == FrameKind.Close)
                {
                    await WebSocketTransport.DeliverAsync(server, session, null);
                    return;
                }
                else if (frame.Kind != FrameKind.None && !session.IsClosed)
                {
                    // A false ends the session (and closes the socket): reading goes on to the client's close
                    // frame, messages dropped, so that the connection does not end with its bytes unread.
                    await WebSocketTransport.DeliverAsync(server, session, MessageOf(frame));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            session.Abort(EngineCloseReason.TransportError);
        }
    }

    public async ValueTask<WebSocketMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        ReleaseMessage();
        while (true)
        {
            var frame = Take(await _input.ReadAsync(cancellationToken));
            await ActAsync(frame);
            if (frame.Kind != FrameKind.None)
            {
                return MessageOf(frame);
            }
        }
    }

    /// <summary>Reads what a pipe read brought: the frame to act on, or <see cref="FrameKind.None"/> when more is needed.</summary>
    private Frame Take(ReadResult result)
    {
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The WebSocket was aborted.");
        }

        var buffer = result.Buffer;
        var frame = Read(ref buffer);

        // Waiting for more only when what is there was all looked at; otherwise the rest is read at once.
        _input.AdvanceTo(buffer.Start, frame.Kind == FrameKind.None ? buffer.End : buffer.Start);
        if (frame.Kind == FrameKind.Close)
        {
            MarkCloseReceived();
        }
        else if (frame.Kind == FrameKind.None && result.IsCompleted)
        {
            // The connection ended without a close frame.
            MarkClosed();
            return new Frame(FrameKind.Close);
        }

        return frame;
    }

    /// <summary>
    /// What every read is followed by: the pong for the last ping read, if any; then, for a protocol error, the
    /// close with its code, and a throw (so a frame after this is never <see cref="FrameKind.Invalid"/>).
    /// </summary>
    private async Task ActAsync(Frame frame)
    {
        if (_unansweredPing is { } ping)
        {
            _unansweredPing = null;
            await SendControlAsync(OpCode.Pong, ping);
        }

        if (frame.Kind == FrameKind.Invalid)
        {
            await FailAsync(frame.Status, frame.Error);
            throw new WebSocketException(WebSocketError.Faulted, frame.Error);
        }
    }

    /// <summary>A data message, one refused as too large, or null for a close.</summary>
    private WebSocketMessage? MessageOf(Frame frame) => frame.Kind switch
    {
        FrameKind.Message => new WebSocketMessage(_messageType, _message.AsMemory(0, _length), TooLarge: false),
        FrameKind.TooLarge => new WebSocketMessage(_messageType, ReadOnlyMemory<byte>.Empty, TooLarge: true) { Size = _refusedSize },
        _ => null,
    };

    /// <summary>Gives the last message's buffer back: an idle connection holds none.</summary>
    private void ReleaseMessage()
    {
        if (!_inMessage && _message is { } message)
        {
            _message = null;
            _length = 0;
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    /// <summary>Ends a pending receive and gives back the buffer; the connection closes gracefully when the handoff middleware returns.</summary>
    public void Dispose()
    {
        MarkClosed();
        _input.CancelPendingRead();
        _inMessage = false;
        ReleaseMessage();
    }
}
