using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace Channels.Transport.Handoff;

/// <summary>
/// Writing: one frame at a time into the output pipe under a lock, each flushed unless a batch
/// (<see cref="Cork"/> … <see cref="UncorkAsync"/>) gathers it, up to <see cref="CorkedStream.MaxCorkedBytes"/>.
/// While a flush waits (a slow reader), later writes wait for it instead of touching the pipe, so the
/// writer and the reader's pongs never use the pipe at the same time.
/// </summary>
internal sealed partial class PipeWebSocket
{
    private const int Open = 0;
    private const int CloseSent = 1;
    private const int CloseReceived = 2;
    private const int Closed = 3;

    private static readonly TimeSpan FailGrace = TimeSpan.FromSeconds(1);

    private readonly ConnectionContext _connection;
    private readonly PipeWriter _output;
    private readonly Lock _gate = new();
    private Task<FlushResult>? _flushing;
    private bool _corked;
    private int _unflushed;
    private int _state;

    public bool CanClose => Volatile.Read(ref _state) is Open or CloseReceived;

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken) =>
        WriteAsync(type == WebSocketMessageType.Text ? OpCode.Text : OpCode.Binary, data, cancellationToken);

    public Task CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        // The reason cut to what a control frame holds, at a character boundary.
        var payload = new byte[MaxControlPayload];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        System.Text.Unicode.Utf8.FromUtf16(reason, payload.AsSpan(2), out _, out var written);
        return WriteAsync(OpCode.Close, payload.AsMemory(0, 2 + written), cancellationToken).AsTask();
    }

    public void Cork()
    {
        lock (_gate)
        {
            _corked = true;
        }
    }

    public ValueTask UncorkAsync()
    {
        lock (_gate)
        {
            _corked = false;
            if (!Flushing())
            {
                return _unflushed > 0 ? FlushLocked() : ValueTask.CompletedTask;
            }
        }

        return FlushAfterPendingAsync();
    }

    public void Reset()
    {
        lock (_gate)
        {
            _corked = false;
        }
    }

    /// <summary>Cuts the connection: a pending receive ends, and Kestrel closes the socket, which ends a pending flush.</summary>
    public void Abort()
    {
        MarkClosed();
        _input.CancelPendingRead();
        _connection.Abort();
    }

    private void MarkCloseReceived()
    {
        lock (_gate)
        {
            _state = _state == CloseSent ? Closed : CloseReceived;
        }
    }

    private void MarkClosed()
    {
        lock (_gate)
        {
            _state = Closed;
        }
    }

    private Task SendControlAsync(OpCode opcode, byte[]? payload) => WriteAsync(opcode, payload, CancellationToken.None).AsTask();

    /// <summary>
    /// A protocol error: the close frame with its code, if it can go out within a second; then what the
    /// client still sends is read and dropped for up to a second (the frames cannot be trusted any more), so
    /// that the connection ends with a close rather than a reset over unread bytes.
    /// </summary>
    private async Task FailAsync(WebSocketCloseStatus status, string error)
    {
        using var grace = new CancellationTokenSource(FailGrace);
        try
        {
            await CloseOutputAsync(status, error, CancellationToken.None).WaitAsync(grace.Token);
            while (true)
            {
                var result = await _input.ReadAsync(grace.Token);
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }

        MarkClosed();
    }

    private ValueTask WriteAsync(OpCode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!Flushing())
            {
                return WriteLocked(opcode, payload.Span);
            }
        }

        return WriteAfterPendingAsync(opcode, payload, cancellationToken);
    }

    private async ValueTask WriteAfterPendingAsync(OpCode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? pending;
            var write = ValueTask.CompletedTask;
            lock (_gate)
            {
                pending = Flushing() ? _flushing : null;
                if (pending is null)
                {
                    write = WriteLocked(opcode, payload.Span);
                }
            }

            if (pending is null)
            {
                await write;
                return;
            }

            // Its owner reports how the flush went; here only its end counts, then the state is checked.
            await pending.ContinueWith(static _ => { }, cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Waits out another flush, then flushes what is still gathered, until nothing is.</summary>
    private async ValueTask FlushAfterPendingAsync()
    {
        while (true)
        {
            Task? pending;
            lock (_gate)
            {
                pending = Flushing() ? _flushing : _unflushed > 0 ? FlushLocked().AsTask() : null;
            }

            if (pending is null)
            {
                return;
            }

            await pending;
        }
    }

    /// <summary>
    /// Under the lock: whether a flush is still running. One that has finished is forgotten here, since the
    /// code that awaited it may not yet have cleared it; a write that took a finished flush for a running one
    /// would wait for nothing, and one that took it for none while it ran would touch the pipe mid-flush.
    /// </summary>
    private bool Flushing()
    {
        if (_flushing is { IsCompleted: true })
        {
            _flushing = null;
        }

        return _flushing is not null;
    }

    /// <summary>Under the lock, no flush pending: writes the frame, and flushes unless a batch gathers it.</summary>
    private ValueTask WriteLocked(OpCode opcode, ReadOnlySpan<byte> payload)
    {
        switch (opcode)
        {
            case OpCode.Close when _state is CloseSent or Closed:
            case OpCode.Pong when _state is CloseSent or Closed:
                return ValueTask.CompletedTask;
            case OpCode.Close:
                _state = _state == CloseReceived ? Closed : CloseSent;
                break;
            case OpCode.Text or OpCode.Binary when _state is CloseSent or Closed:
                throw new WebSocketException(WebSocketError.InvalidState, "The WebSocket is closed.");
        }

        WriteFrame(opcode, payload);
        return _corked && opcode is OpCode.Text or OpCode.Binary && _unflushed < CorkedStream.MaxCorkedBytes
            ? ValueTask.CompletedTask
            : FlushLocked();
    }

    private void WriteFrame(OpCode opcode, ReadOnlySpan<byte> payload)
    {
        var headerLength = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var header = _output.GetSpan(headerLength);
        header[0] = (byte)(0x80 | (byte)opcode);
        if (headerLength == 2)
        {
            header[1] = (byte)payload.Length;
        }
        else if (headerLength == 4)
        {
            header[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payload.Length);
        }
        else
        {
            header[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)payload.Length);
        }

        _output.Advance(headerLength);
        _output.Write(payload);
        _unflushed += headerLength + payload.Length;
    }

    /// <summary>Under the lock: flushes; a flush that has to wait is the one every later write waits for.</summary>
    private ValueTask FlushLocked()
    {
        _unflushed = 0;
        var flush = _output.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            return Check(flush.Result);
        }

        var pending = _flushing = flush.AsTask();
        return new ValueTask(AwaitFlushAsync(pending));
    }

    private async Task AwaitFlushAsync(Task<FlushResult> flush)
    {
        FlushResult result;
        try
        {
            result = await flush;
        }
        finally
        {
            lock (_gate)
            {
                // Only this flush: a later one may already be the pending one.
                if (ReferenceEquals(_flushing, flush))
                {
                    _flushing = null;
                }
            }
        }

        await Check(result);
    }

    private ValueTask Check(FlushResult result)
    {
        if (result.IsCompleted || result.IsCanceled)
        {
            MarkClosed();
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The connection is closed.");
        }

        return ValueTask.CompletedTask;
    }
}
