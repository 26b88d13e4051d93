using Channels.Protocol;

namespace Channels.Sockets;

/// <summary>What goes into a <see cref="ConnectionLoop"/>: packets, reports and the server's calls, within its bounds.</summary>
internal sealed partial class ConnectionLoop
{
    /// <summary>
    /// Queues a client's packet of <paramref name="bytes"/>; waits while the queue holds its most items or
    /// bytes (one packet larger than the byte bound still goes in alone). False once the loop is ending.
    /// Called by the connection's read side, one packet at a time.
    /// </summary>
    public ValueTask<bool> PostAsync(SocketIoPacket packet, int bytes, CancellationToken cancellationToken) =>
        WriteAsync(new Item(packet, null, null, bytes), cancellationToken);

    /// <summary>Queues the report of an invalid packet, if there is room; the session is being closed anyway.</summary>
    public void PostInvalid(string reason) => TryWrite(new Item(null, reason, null, 0), out _);

    /// <summary>
    /// Runs <paramref name="work"/> on the loop: at once when already there (a handler calling the server's
    /// API on its own connection), otherwise queued behind what is there and awaited. Returns
    /// <paramref name="whenEnded"/> if the loop ends first.
    /// </summary>
    public async ValueTask<T> RunAsync<T>(Func<ValueTask<T>> work, T whenEnded, CancellationToken cancellationToken)
    {
        if (IsCurrent)
        {
            return await work();
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = await WriteAsync(
            new Item(null, null, Work: async () =>
            {
                try
                {
                    done.TrySetResult(await work());
                }
                catch (Exception ex)
                {
                    done.TrySetException(ex);
                }
            }),
            cancellationToken);
        if (!queued)
        {
            return whenEnded;
        }

        // The target's loop may be stuck in a handler that waits on the caller's loop: the wait ends with
        // the target's session at the latest (its connect or ping timeout), never never.
        try
        {
            return await done.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return whenEnded;
        }
    }

    /// <summary>Queues an item, waiting while the queue is full; false once the loop is ending or the wait is cancelled.</summary>
    private async ValueTask<bool> WriteAsync(Item item, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryWrite(item, out var room))
            {
                return true;
            }

            if (room is null)
            {
                return false;
            }

            try
            {
                await room.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Queues an item if there is room (items, and bytes for a packet: one larger than the byte bound goes in
    /// alone). When full, <paramref name="room"/> is a task that ends when there may be room; null once the
    /// loop is ending.
    /// </summary>
    private bool TryWrite(Item item, out Task? room)
    {
        bool start;
        lock (_gate)
        {
            room = null;
            if (_completed)
            {
                return false;
            }

            var count = _items?.Count ?? 0;
            if (count >= _capacity || (item.Bytes > 0 && _queuedBytes > 0 && _queuedBytes + item.Bytes > _maxBytes))
            {
                room = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                return false;
            }

            (_items ??= new Queue<Item>()).Enqueue(item);
            _queuedBytes += item.Bytes;
            start = !_running;
            _running = true;
        }

        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return true;
    }
}
