using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Channels.Protocol;

namespace Channels.Transport;

/// <summary>
/// A session's outbound packets: many writers, one reader at a time (the WebSocket writer, or the pending
/// polling GET). Enqueueing takes no lock: a fan-out to a thousand clients is a thousand lock-free
/// enqueues, and a reader that is waiting is woken by the one writer that takes it out of its slot. The
/// bound is the session's (<see cref="EngineSession.TrySend"/>); this queue only orders and wakes.
/// </summary>
internal sealed class OutboundQueue
{
    private readonly ConcurrentQueue<EngineFrame> _items = new();
    private readonly Waiter _writerWaiter = new();
    private Waiter? _parked;
    private volatile bool _completed;

    /// <summary>True once <see cref="Complete"/> has run and everything queued has been taken.</summary>
    public bool IsDrained => _completed && _items.IsEmpty;

    /// <summary>Queues a frame; false once the queue is complete.</summary>
    public bool TryEnqueue(in EngineFrame frame)
    {
        if (_completed)
        {
            return false;
        }

        _items.Enqueue(frame);
        WakeReader();
        return true;
    }

    public bool TryDequeue(out EngineFrame frame) => _items.TryDequeue(out frame);

    /// <summary>No more frames will be queued; a waiting reader is woken to drain what is left.</summary>
    public void Complete()
    {
        _completed = true;

        // As in WaitToReadAsync: the flag must be visible before the slot is read.
        Interlocked.MemoryBarrier();
        WakeReader();
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
        if (!_items.IsEmpty)
        {
            return new ValueTask<bool>(true);
        }

        if (_completed)
        {
            return new ValueTask<bool>(!_items.IsEmpty);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        var waiter = cancellationToken.CanBeCanceled ? new Waiter() : _writerWaiter;
        var token = waiter.Arm();

        // Park, then look again: a writer enqueues and then looks for a parked reader, so one of the two
        // sees the other (both steps are full fences).
        Interlocked.Exchange(ref _parked, waiter)?.Wake();
        if (!_items.IsEmpty || _completed)
        {
            if (Interlocked.CompareExchange(ref _parked, null, waiter) == waiter)
            {
                return new ValueTask<bool>(true);
            }

            // A writer took the waiter out of its slot and is waking it.
        }
        else if (cancellationToken.CanBeCanceled)
        {
            waiter.CancelWith(this, cancellationToken);
        }

        return new ValueTask<bool>(waiter, token);
    }

    private void WakeReader()
    {
        if (Volatile.Read(ref _parked) is not null && Interlocked.Exchange(ref _parked, null) is { } waiter)
        {
            waiter.Wake();
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
                    if (Interlocked.CompareExchange(ref queue._parked, null, waiter) == waiter)
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
