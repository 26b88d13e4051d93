using System.Threading.Tasks.Sources;
using Channels.Protocol;

namespace Channels.Transport;

/// <summary>What <see cref="OutboundQueue.TryEnqueue"/> did with a frame.</summary>
internal enum EnqueueResult
{
    /// <summary>Queued.</summary>
    Queued,

    /// <summary>Refused: the queue holds its most frames or bytes already (the reader is too slow).</summary>
    Full,

    /// <summary>Refused: the queue is complete (the session is ending).</summary>
    Completed,
}

/// <summary>
/// A session's outbound packets, bounded in frames and bytes: many writers, one reader at a time (the
/// WebSocket writer, or the pending polling GET). Each operation is a few instructions under one
/// uncontended lock, and a reader that is waiting is woken by the writer that takes it out of its slot;
/// an idle queue holds a few hundred bytes and one that grew in a burst gives the memory back once
/// drained. Control frames (ping, close) are never refused by the bound, so a full queue can still end.
/// </summary>
internal sealed class OutboundQueue(int maxFrames, long maxBytes)
{
    /// <summary>Past this capacity, a drained queue lets its storage go.</summary>
    private const int KeptCapacity = 32;

    private readonly Lock _gate = new();
    private readonly Queue<EngineFrame> _items = new();
    private readonly Waiter _writerWaiter = new();
    private Waiter? _parked;
    private bool _completed;
    private long _bytes;

    /// <summary>True once <see cref="Complete"/> has run and everything queued has been taken.</summary>
    public bool IsDrained
    {
        get
        {
            lock (_gate)
            {
                return _completed && _items.Count == 0;
            }
        }
    }

    /// <summary>Frames the queue's storage can hold without growing (for tests).</summary>
    internal int Capacity
    {
        get
        {
            lock (_gate)
            {
                return _items.EnsureCapacity(0);
            }
        }
    }

    /// <summary>Frames and bytes queued now (for the slow-consumer log line).</summary>
    public (int Frames, long Bytes) Queued
    {
        get
        {
            lock (_gate)
            {
                return (_items.Count, _bytes);
            }
        }
    }

    /// <summary>Queues a data frame, within the bound.</summary>
    public EnqueueResult TryEnqueue(in EngineFrame frame) => Enqueue(frame, bounded: true);

    /// <summary>Queues a control frame (ping, close), which the bound does not refuse; false once complete.</summary>
    public bool TryEnqueueControl(in EngineFrame frame) => Enqueue(frame, bounded: false) == EnqueueResult.Queued;

    private EnqueueResult Enqueue(in EngineFrame frame, bool bounded)
    {
        var size = frame.Size;
        Waiter? parked;
        lock (_gate)
        {
            if (_completed)
            {
                return EnqueueResult.Completed;
            }

            if (bounded && (_items.Count >= maxFrames || _bytes + size > maxBytes))
            {
                return EnqueueResult.Full;
            }

            _items.Enqueue(frame);
            _bytes += size;
            parked = _parked;
            _parked = null;
        }

        parked?.Wake();
        return EnqueueResult.Queued;
    }

    public bool TryDequeue(out EngineFrame frame)
    {
        lock (_gate)
        {
            if (!_items.TryDequeue(out frame))
            {
                return false;
            }

            _bytes -= frame.Size;

            // EnsureCapacity(0) only reads the capacity.
            if (_items.Count == 0 && _items.EnsureCapacity(0) > KeptCapacity)
            {
                _items.TrimExcess();
            }

            return true;
        }
    }

    /// <summary>No more frames will be queued; a waiting reader is woken to drain what is left.</summary>
    public void Complete()
    {
        Waiter? parked;
        lock (_gate)
        {
            _completed = true;
            parked = _parked;
            _parked = null;
        }

        parked?.Wake();
    }

    /// <summary>
    /// Waits until there may be something to read: true when a frame is queued (or the reader should look
    /// again), false when the queue is complete and drained. Without a token the queue's own waiter is
    /// reused (the WebSocket writer, the one long-lived reader); with one, a fresh waiter is made, so a
    /// polling GET that is cancelled cannot disturb it. Should two readers ever wait at once, the earlier
    /// one is woken to look again.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        Waiter waiter;
        Waiter? previous;
        short token;
        lock (_gate)
        {
            if (_items.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }

            waiter = cancellationToken.CanBeCanceled ? new Waiter() : _writerWaiter;
            token = waiter.Arm();
            previous = _parked;
            _parked = waiter;
        }

        previous?.Wake();
        if (cancellationToken.CanBeCanceled)
        {
            waiter.CancelWith(this, cancellationToken);
        }

        return new ValueTask<bool>(waiter, token);
    }

    /// <summary>Takes the waiter out of the slot if it is still there: true when the caller may complete it.</summary>
    private bool Unpark(Waiter waiter)
    {
        lock (_gate)
        {
            if (_parked != waiter)
            {
                return false;
            }

            _parked = null;
            return true;
        }
    }

    /// <summary>One wait of one reader, completed by whoever takes it out of the parked slot.</summary>
    private sealed class Waiter : IValueTaskSource<bool>
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
        private CancellationTokenRegistration _cancellation;

        public short Arm()
        {
            _core.Reset();
            return _core.Version;
        }

        public void Wake() => _core.SetResult(true);

        /// <summary>Cancels this wait with the token, unless a writer has already taken it to wake it.</summary>
        public void CancelWith(OutboundQueue queue, CancellationToken cancellationToken) =>
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (queue, waiter) = ((OutboundQueue, Waiter))state!;
                    if (queue.Unpark(waiter))
                    {
                        waiter._core.SetException(new OperationCanceledException(token));
                    }
                },
                (queue, this));

        public bool GetResult(short token)
        {
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                _cancellation.Dispose();
                _cancellation = default;
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
