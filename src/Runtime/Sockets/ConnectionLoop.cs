using System.Diagnostics;
using System.Threading.Channels;
using Channels.Diagnostics;
using Channels.Protocol;

namespace Channels.Sockets;

/// <summary>
/// The one loop of a connection: a bounded queue read by one task, so that everything that reaches a
/// handler runs one item at a time, in the order queued. Items are the client's packets (the read side
/// waits while the queue is full, which pushes back on the client), invalid packets to report, and the
/// server's own calls (<see cref="RunAsync{T}"/>). When the queue is completed, what is in it is still
/// run, then <see cref="IConnectionLoopOwner.OnLoopEndedAsync"/>.
/// </summary>
internal sealed class ConnectionLoop
{
    /// <summary>
    /// The item of a loop the current code runs in, if any: flows into every handler the item calls, and
    /// into whatever those handlers start. A new one per item, so a timer a handler set (or a task it
    /// left running) that fires during a later item is not taken for part of it.
    /// </summary>
    private static readonly AsyncLocal<Turn?> s_turn = new();

    private readonly IConnectionLoopOwner _owner;
    private readonly ChannelsLog _log;
    private readonly ChannelsMetrics _metrics;
    private readonly string _sessionId;
    private readonly Channel<Item> _items;
    private readonly long _maxBytes;
    private readonly SemaphoreSlim _drained = new(0);
    private long _queuedBytes;
    private Turn? _current;

    public ConnectionLoop(IConnectionLoopOwner owner, int capacity, long maxBytes, string sessionId, ChannelsLog log, ChannelsMetrics metrics)
    {
        _owner = owner;
        _maxBytes = maxBytes;
        _sessionId = sessionId;
        _log = log;
        _metrics = metrics;
        _items = Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Completion = RunLoopAsync();
    }

    /// <summary>Ends once the loop has run everything queued and the owner's end.</summary>
    public Task Completion { get; }

    /// <summary>
    /// True when the caller runs inside this loop's current item: a handler, or the end. (A task a handler
    /// starts and leaves running counts as inside only while that same item runs.)
    /// </summary>
    public bool IsCurrent => s_turn.Value is { } turn && ReferenceEquals(turn, Volatile.Read(ref _current));

    /// <summary>
    /// Queues a client's packet of <paramref name="bytes"/>; waits while the queue holds its most items or
    /// bytes (one packet larger than the byte bound still goes in alone). False once the loop is ending.
    /// Called by the connection's read side, one packet at a time.
    /// </summary>
    public async ValueTask<bool> PostAsync(SocketIoPacket packet, int bytes, CancellationToken cancellationToken)
    {
        try
        {
            while (Volatile.Read(ref _queuedBytes) > 0 && Volatile.Read(ref _queuedBytes) + bytes > _maxBytes)
            {
                await _drained.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        Interlocked.Add(ref _queuedBytes, bytes);
        if (await WriteAsync(new Item(packet, null, null, bytes), cancellationToken))
        {
            return true;
        }

        Interlocked.Add(ref _queuedBytes, -bytes);
        return false;
    }

    /// <summary>Queues the report of an invalid packet, if there is room; the session is being closed anyway.</summary>
    public void PostInvalid(string reason) => _items.Writer.TryWrite(new Item(null, reason, null, 0));

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

    /// <summary>No more items: what is queued still runs, then the owner's end.</summary>
    public void Complete() => _items.Writer.TryComplete();

    private async ValueTask<bool> WriteAsync(Item item, CancellationToken cancellationToken)
    {
        try
        {
            await _items.Writer.WriteAsync(item, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            return false;
        }
    }

    private async Task RunLoopAsync()
    {
        await foreach (var item in _items.Reader.ReadAllAsync())
        {
            if (item.Bytes > 0)
            {
                // Taken off the queue: its bytes no longer count, and a read side waiting for room may go on.
                Interlocked.Add(ref _queuedBytes, -item.Bytes);
                if (_drained.CurrentCount == 0)
                {
                    _drained.Release();
                }
            }

            var started = Stopwatch.GetTimestamp();
            Begin();
            try
            {
                if (item.Work is { } work)
                {
                    await work();
                }
                else if (item.Packet is { } packet)
                {
                    await _owner.HandleAsync(packet);
                }
                else
                {
                    await _owner.HandleInvalidAsync(item.Error!);
                }
            }
            catch (Exception ex)
            {
                _log.HandlerFailed(ex, "dispatch", _sessionId);
            }
            finally
            {
                End();
            }

            _metrics.Dispatched(Stopwatch.GetElapsedTime(started));
        }

        Begin();
        try
        {
            await _owner.OnLoopEndedAsync();
        }
        catch (Exception ex)
        {
            _log.HandlerFailed(ex, "close sequence", _sessionId);
        }
        finally
        {
            End();
        }
    }

    /// <summary>An item starts: a new turn, flowing into what it calls.</summary>
    private void Begin()
    {
        var turn = new Turn();
        Volatile.Write(ref _current, turn);
        s_turn.Value = turn;
    }

    /// <summary>
    /// The item is over: its turn is no longer current, and the loop waits with no context of its own (an
    /// idle connection holds no execution context).
    /// </summary>
    private void End()
    {
        Volatile.Write(ref _current, null);
        s_turn.Value = null;
    }

    private readonly record struct Item(SocketIoPacket? Packet, string? Error, Func<ValueTask>? Work, int Bytes = 0);

    /// <summary>One item's identity: only reference equality matters.</summary>
    private sealed class Turn;
}

/// <summary>What a <see cref="ConnectionLoop"/> runs its items on.</summary>
internal interface IConnectionLoopOwner
{
    /// <summary>A client's packet (not an ACK: those never wait in the loop).</summary>
    ValueTask HandleAsync(SocketIoPacket packet);

    /// <summary>An invalid packet, to report to handlers.</summary>
    ValueTask HandleInvalidAsync(string reason);

    /// <summary>The loop was completed and has run everything queued: the close sequence.</summary>
    ValueTask OnLoopEndedAsync();
}
