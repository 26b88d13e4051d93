using System.Buffers;

namespace Channels.Transport;

/// <summary>
/// The write side between <see cref="System.Net.WebSockets.WebSocket"/> and Kestrel's upgraded stream.
/// Kestrel writes and flushes on every stream write, once per WebSocket frame; while the session's
/// writer is sending a batch of queued packets (<see cref="Cork"/> … <see cref="UncorkAsync"/>), the
/// frames are gathered here instead and reach Kestrel in one write, so that a burst costs one flush and
/// few system calls rather than one of each per frame. Outside a batch every write goes straight through.
/// At most <see cref="MaxCorkedBytes"/> are gathered; an idle connection holds no buffer.
/// </summary>
internal sealed class CorkedStream(Stream inner) : Stream
{
    /// <summary>Past this many gathered bytes, a flush inside a batch writes them out.</summary>
    public const int MaxCorkedBytes = 64 * 1024;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private byte[]? _buffer;
    private int _length;
    private volatile bool _corked;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Bytes gathered and not yet written out.</summary>
    public int GatheredBytes => Volatile.Read(ref _length);

    /// <summary>Starts gathering writes; the writer ends the batch with <see cref="UncorkAsync"/>.</summary>
    public void Cork() => _corked = true;

    /// <summary>
    /// Ends the batch and writes out what it gathered. A write that lands while this runs either is in
    /// the buffer taken here or, seeing the batch over, writes itself out.
    /// </summary>
    public ValueTask UncorkAsync()
    {
        _corked = false;
        return WriteOutAsync(CancellationToken.None);
    }

    /// <summary>Ends a batch that failed part way: later writes go straight through again.</summary>
    public void Reset() => _corked = false;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var needed = _length + buffer.Length;
            if (_buffer is null || _buffer.Length < needed)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 4096));
                if (_buffer is not null)
                {
                    _buffer.AsSpan(0, _length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = grown;
            }

            buffer.Span.CopyTo(_buffer.AsSpan(_length));
            _length = needed;
        }

        return _corked ? ValueTask.CompletedTask : WriteOutAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _corked && Volatile.Read(ref _length) < MaxCorkedBytes ? Task.CompletedTask : WriteOutAsync(cancellationToken).AsTask();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Hands everything gathered so far to Kestrel in one write (Kestrel flushes it). Writes out are one
    /// at a time and each takes the whole buffer, so bytes keep the order they were written in.
    /// </summary>
    private async ValueTask WriteOutAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        byte[]? buffer;
        int length;
        try
        {
            lock (_gate)
            {
                buffer = _buffer;
                length = _length;
                _buffer = null;
                _length = 0;
            }

            if (buffer is not null)
            {
                try
                {
                    await inner.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            lock (_gate)
            {
                if (_buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = null;
                    _length = 0;
                }
            }
        }

        base.Dispose(disposing);
    }
}
