using System.Buffers;
using System.IO.Pipelines;

namespace Channels.Transport.Handoff;

/// <summary>
/// A taken-over connection's transport as the stream a <see cref="System.Net.WebSockets.WebSocket"/> runs on.
/// Reads copy out of the input pipe (a zero-byte read waits for data and takes none); each write is copied
/// into the output pipe and flushed (the WebSocket and <see cref="CorkedStream"/> write one at a time).
/// Disposing ends a pending read; the connection itself is Kestrel's to close.
/// </summary>
internal sealed class PipeStream(IDuplexPipe transport) : Stream
{
    private volatile bool _disposed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var input = transport.Input;
        var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || _disposed)
        {
            input.AdvanceTo(result.Buffer.Start);
            throw new ObjectDisposedException(nameof(PipeStream));
        }

        var data = result.Buffer;
        var count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        if (count == 0 && !result.IsCompleted)
        {
            // A zero-byte read: data is there, none taken.
            input.AdvanceTo(data.Start);
        }
        else
        {
            input.AdvanceTo(data.GetPosition(count));
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = await transport.Output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException("The connection is closed.");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            transport.Input.CancelPendingRead();
        }

        base.Dispose(disposing);
    }
}
