using System.Buffers;
using System.IO.Pipelines;

namespace Channels.Transport.Handoff;

/// <summary>
/// The connection's transport as Kestrel's HTTP layer sees it: every call passes through to the real pipe
/// until <see cref="Detach"/>, after which the HTTP layer reads an ended stream and writes into nothing, and
/// its completions no longer reach the real pipe, which now belongs to the WebSocket.
/// </summary>
internal sealed class DetachablePipe(IDuplexPipe inner) : IDuplexPipe
{
    private readonly Reader _input = new(inner.Input);
    private readonly Writer _output = new(inner.Output);

    public PipeReader Input => _input;

    public PipeWriter Output => _output;

    /// <summary>Lets go of the real pipe. Call only while the HTTP layer waits for the application.</summary>
    public void Detach()
    {
        _input.Detached = true;
        _output.Detached = true;
    }

    private sealed class Reader(PipeReader inner) : PipeReader
    {
        private static readonly ReadResult Ended = new(ReadOnlySequence<byte>.Empty, isCanceled: false, isCompleted: true);

        public volatile bool Detached;

        public override void AdvanceTo(SequencePosition consumed)
        {
            if (!Detached)
            {
                inner.AdvanceTo(consumed);
            }
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            if (!Detached)
            {
                inner.AdvanceTo(consumed, examined);
            }
        }

        public override void CancelPendingRead()
        {
            if (!Detached)
            {
                inner.CancelPendingRead();
            }
        }

        public override void Complete(Exception? exception = null)
        {
            if (!Detached)
            {
                inner.Complete(exception);
            }
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            Detached ? ValueTask.FromResult(Ended) : inner.ReadAsync(cancellationToken);

        public override bool TryRead(out ReadResult result)
        {
            if (Detached)
            {
                result = Ended;
                return true;
            }

            return inner.TryRead(out result);
        }
    }

    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        private byte[]? _void;

        public volatile bool Detached;

        public override bool CanGetUnflushedBytes => !Detached && inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => Detached ? 0 : inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            if (!Detached)
            {
                inner.Advance(bytes);
            }
        }

        public override void CancelPendingFlush()
        {
            if (!Detached)
            {
                inner.CancelPendingFlush();
            }
        }

        public override void Complete(Exception? exception = null)
        {
            if (!Detached)
            {
                inner.Complete(exception);
            }
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            Detached ? ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: true)) : inner.FlushAsync(cancellationToken);

        public override Memory<byte> GetMemory(int sizeHint = 0) => Detached ? Void(sizeHint) : inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => Detached ? Void(sizeHint).Span : inner.GetSpan(sizeHint);

        /// <summary>Where the HTTP layer's writes after the detach go.</summary>
        private Memory<byte> Void(int sizeHint) =>
            _void is { } buffer && buffer.Length >= sizeHint ? buffer : _void = new byte[Math.Max(sizeHint, 256)];
    }
}
