using System.Buffers;
using System.Net.WebSockets;

namespace Channels.Transport;

/// <summary>
/// Reassembles one WebSocket message, up to the payload limit, into a buffer rented from the shared
/// pool only once data has arrived: an idle connection waits with a zero-byte read and holds no buffer.
/// The message returned is valid until the next call.
/// </summary>
internal sealed class WebSocketMessageBuffer(int max)
{
    private const int InitialSize = 4096;
    private byte[]? _buffer;

    public async ValueTask<WebSocketMessage?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        Release();
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        return await ReceiveRestAsync(socket, first, cancellationToken);
    }

    /// <summary>
    /// The message whose zero-byte read the caller has awaited (<paramref name="first"/>), read into the
    /// buffer; the caller has called <see cref="Release"/> before that read. Split from
    /// <see cref="ReceiveAsync"/> so that a caller can wait for data in its own state machine.
    /// </summary>
    public async ValueTask<WebSocketMessage?> ReceiveRestAsync(WebSocket socket, ValueWebSocketReceiveResult first, CancellationToken cancellationToken)
    {
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return null;
        }

        if (first.EndOfMessage)
        {
            return new WebSocketMessage(first.MessageType, ReadOnlyMemory<byte>.Empty, TooLarge: false);
        }

        var buffer = _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > max)
                {
                    await SkipRestAsync(socket, cancellationToken);
                    return new WebSocketMessage(WebSocketMessageType.Binary, buffer.AsMemory(0, length), TooLarge: true);
                }

                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = _buffer = larger;
            }

            var result = await socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, max + 1) - length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return new WebSocketMessage(result.MessageType, buffer.AsMemory(0, length), TooLarge: length > max);
            }

            if (length > max)
            {
                await SkipRestAsync(socket, cancellationToken);
                return new WebSocketMessage(WebSocketMessageType.Binary, buffer.AsMemory(0, length), TooLarge: true);
            }
        }
    }

    /// <summary>Gives the buffer back to the pool (the last message is no longer valid).</summary>
    public void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads to the end of an oversized message without storing it.</summary>
    private static async Task SkipRestAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var discard = ArrayPool<byte>.Shared.Rent(InitialSize);
        try
        {
            ValueWebSocketReceiveResult skip;
            do
            {
                skip = await socket.ReceiveAsync(discard.AsMemory(), cancellationToken);
            }
            while (!skip.EndOfMessage && skip.MessageType != WebSocketMessageType.Close);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(discard);
        }
    }
}

/// <summary>One WebSocket message as <see cref="WebSocketMessageBuffer"/> read it (its data valid until the next read).</summary>
internal readonly record struct WebSocketMessage(WebSocketMessageType Type, ReadOnlyMemory<byte> Data, bool TooLarge)
{
    /// <summary>The message's size: what was read, or for one refused from its header, what the header announced.</summary>
    public long Size { get; init; } = Data.Length;
}
