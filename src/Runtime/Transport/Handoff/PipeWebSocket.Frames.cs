using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;

namespace Channels.Transport.Handoff;

/// <summary>
/// Reading frames: headers checked against RFC 6455's rules for a server, payloads unmasked while copied
/// into the message buffer (or read past, for a message refused as too large), control frames taken whole.
/// </summary>
internal sealed partial class PipeWebSocket
{
    /// <summary>
    /// Reads frames from <paramref name="buffer"/> until a whole data message, a close or invalid frame, or
    /// the end of what has arrived; leaves <paramref name="buffer"/> at what it did not consume. Pongs are
    /// dropped; the last ping read is kept in <see cref="_unansweredPing"/> for the caller to answer.
    /// </summary>
    private Frame Read(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            if (_frameRemaining > 0)
            {
                if (buffer.IsEmpty)
                {
                    return default;
                }

                CopyPayload(ref buffer);
                if (_frameRemaining > 0)
                {
                    return default;
                }

                if (_frameFinal)
                {
                    if (_discarding)
                    {
                        // The end of a message refused as too large: nothing to hand on.
                        (_discarding, _inMessage) = (false, false);
                        continue;
                    }

                    return CompleteMessage();
                }

                continue;
            }

            var header = ReadHeader(ref buffer);
            if (header.Kind == FrameKind.Pong)
            {
                continue;
            }

            if (header.Kind == FrameKind.Ping)
            {
                // Answered once the frames that have arrived are read: a run of pings gets one pong, for the
                // last of them (RFC 6455, 5.5.3), so a flood in one write costs one write back, not one each.
                _unansweredPing = header.Payload;
                continue;
            }

            if (header.Kind != FrameKind.Data)
            {
                return header;
            }

            if (_frameRemaining == 0 && _frameFinal)
            {
                if (_discarding)
                {
                    (_discarding, _inMessage) = (false, false);
                    continue;
                }

                return CompleteMessage();
            }
        }
    }

    /// <summary>The final frame of a data message has been read: the message, if a text one is UTF-8.</summary>
    private Frame CompleteMessage()
    {
        _inMessage = false;
        return _messageType == WebSocketMessageType.Text && !System.Text.Unicode.Utf8.IsValid(_message.AsSpan(0, _length))
            ? Frame.Fail(WebSocketCloseStatus.InvalidPayloadData, "text message is not UTF-8")
            : new Frame(FrameKind.Message);
    }

    /// <summary>
    /// One frame header (and, for a control frame, its payload): a data frame sets up the copy of its
    /// payload and returns <see cref="FrameKind.Data"/>; a control frame is returned whole; nothing is
    /// consumed (<c>default</c>) until the header, or the whole control frame, has arrived.
    /// </summary>
    private Frame ReadHeader(ref ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[14];
        var available = (int)Math.Min(buffer.Length, head.Length);
        if (available < 2)
        {
            return default;
        }

        buffer.Slice(0, available).CopyTo(head);
        var final = (head[0] & 0x80) != 0;
        var opcode = (OpCode)(head[0] & 0x0F);
        var length = (long)(head[1] & 0x7F);
        if ((head[0] & 0x70) != 0)
        {
            return Frame.Fail(WebSocketCloseStatus.ProtocolError, "reserved bits set");
        }

        if ((head[1] & 0x80) == 0)
        {
            return Frame.Fail(WebSocketCloseStatus.ProtocolError, "client frame not masked");
        }

        var headerLength = length switch { 126 => 8, 127 => 14, _ => 6 };
        if (available < headerLength)
        {
            return default;
        }

        length = length switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(head[2..]),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(head[2..]),
            _ => length,
        };
        if (length < 0)
        {
            // A 64-bit length must have its most significant bit clear (RFC 6455, 5.2).
            return Frame.Fail(WebSocketCloseStatus.ProtocolError, "payload length over 2^63");
        }

        var mask = BinaryPrimitives.ReadUInt32LittleEndian(head[(headerLength - 4)..]);

        if (opcode is OpCode.Close or OpCode.Ping or OpCode.Pong)
        {
            if (!final || length > MaxControlPayload)
            {
                return Frame.Fail(WebSocketCloseStatus.ProtocolError, "control frame fragmented or too long");
            }

            if (buffer.Length < headerLength + length)
            {
                return default;
            }

            var payload = length == 0 ? [] : new byte[length];
            buffer.Slice(headerLength, length).CopyTo(payload);
            Unmask(payload, mask, 0);
            buffer = buffer.Slice(headerLength + length);
            return opcode switch
            {
                OpCode.Ping => new Frame(FrameKind.Ping, payload),
                OpCode.Close => ReadClose(payload),
                _ => new Frame(FrameKind.Pong),
            };
        }

        if (opcode is not (OpCode.Continuation or OpCode.Text or OpCode.Binary))
        {
            return Frame.Fail(WebSocketCloseStatus.ProtocolError, "unknown opcode");
        }

        if ((opcode == OpCode.Continuation) != _inMessage)
        {
            return Frame.Fail(WebSocketCloseStatus.ProtocolError, _inMessage ? "new message inside a fragmented one" : "continuation without a message");
        }

        if (opcode != OpCode.Continuation)
        {
            _inMessage = true;
            _messageType = opcode == OpCode.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
            _length = 0;
        }

        buffer = buffer.Slice(headerLength);
        _frameRemaining = length;
        _frameFinal = final;
        _mask = mask;
        _maskOffset = 0;
        if (_discarding)
        {
            return new Frame(FrameKind.Data);
        }

        if (length > _maxMessageBytes - _length)
        {
            // Refused from the header, its payload never held: the reader closes with 1009, and the rest of the
            // message is read past while waiting for the client's close frame.
            _refusedSize = length > long.MaxValue - _length ? long.MaxValue : _length + length;
            _discarding = true;
            if (_message is { } message)
            {
                (_message, _length) = (null, 0);
                ArrayPool<byte>.Shared.Return(message);
            }

            return new Frame(FrameKind.TooLarge);
        }

        EnsureCapacity(_length + (int)length);
        return new Frame(FrameKind.Data);
    }

    /// <summary>A close frame's payload: empty, or a valid status code and a UTF-8 reason.</summary>
    private static Frame ReadClose(byte[] payload)
    {
        if (payload.Length == 0)
        {
            return new Frame(FrameKind.Close);
        }

        var code = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 0;
        var valid = code is (>= 1000 and <= 1003) or (>= 1007 and <= 1011) or (>= 3000 and <= 4999);
        return valid && System.Text.Unicode.Utf8.IsValid(payload.AsSpan(2))
            ? new Frame(FrameKind.Close)
            : Frame.Fail(WebSocketCloseStatus.ProtocolError, "invalid close frame");
    }

    /// <summary>Copies (and unmasks) as much of the current frame's payload as has arrived.</summary>
    private void CopyPayload(ref ReadOnlySequence<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, _frameRemaining);
        if (_discarding)
        {
            _frameRemaining -= count;
            buffer = buffer.Slice(count);
            return;
        }

        var target = _message.AsSpan(_length, count);
        buffer.Slice(0, count).CopyTo(target);
        Unmask(target, _mask, _maskOffset);
        _maskOffset = (_maskOffset + count) & 3;
        _length += count;
        _frameRemaining -= count;
        buffer = buffer.Slice(count);
    }

    private static void Unmask(Span<byte> data, uint mask, int offset)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, mask);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= key[(offset + i) & 3];
        }
    }

    /// <summary>Grows the pooled message buffer to hold <paramref name="needed"/> bytes (at most the limit).</summary>
    private void EnsureCapacity(int needed)
    {
        if (_message is not null && _message.Length >= needed)
        {
            return;
        }

        var size = Math.Max(needed, Math.Min(Math.Max(InitialMessageBuffer, (_message?.Length ?? 0) * 2), _maxMessageBytes));
        var larger = ArrayPool<byte>.Shared.Rent(size);
        if (_message is not null)
        {
            _message.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_message);
        }

        _message = larger;
    }

    private enum OpCode : byte
    {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA,
    }

    private enum FrameKind
    {
        /// <summary>Nothing to act on yet: more bytes are needed.</summary>
        None,
        Data,
        Message,
        TooLarge,
        Ping,
        Pong,
        Close,
        Invalid,
    }

    private readonly record struct Frame(FrameKind Kind, byte[]? Payload = null, WebSocketCloseStatus Status = default, string Error = "")
    {
        public static Frame Fail(WebSocketCloseStatus status, string error) => new(FrameKind.Invalid, null, status, error);
    }
}
