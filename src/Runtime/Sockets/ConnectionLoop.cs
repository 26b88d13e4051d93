using System.Diagnostics;
using Channels.Diagnostics;
using Channels.Protocol;

namespace Channels.Sockets;

/// <summary>
/// The one loop of a connection: a bounded queue drained by one runner at a time, so that everything that
/// reaches a handler runs one item at a time, in the order queued. Items are the client's packets (the read
/// side waits while the queue is full, which pushes back on the client), invalid packets to report, and the
/// server's own calls (<see cref="RunAsync{T}"/>). When the queue is completed, what is in it is still run,
/// then <see cref="IConnectionLoopOwner.OnLoopEndedAsync"/>.
/// </summary>
/// <remarks>
/// The runner exists only while there is something to run: the first item queued to an idle loop puts the
/// loop itself on the thread pool (no allocation), and the runner stops when the queue is empty. An idle
/// connection's loop is this object alone, with no channel, task, state machine, queue storage or
/// semaphore (about 1.2 KB per connection with a channel read by a long-lived task). Items run in the
/// execution context the loop was created in, as the long-lived task's did.
/// </remarks>
internal sealed partial class ConnectionLoop : IThreadPoolWorkItem
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
    private readonly int _capacity;
    private readonly long _maxBytes;
    private readonly ExecutionContext? _context = ExecutionContext.Capture();
    private readonly Lock _gate = new();
    private Queue<Item>? _items;
    private TaskCompletionSource? _room;
    private TaskCompletionSource? _completion;
    private Action<object>? _onEnded;
    private object? _onEndedState;
    private long _queuedBytes;
    private bool _running;
    private bool _completed;
    private bool _ended;
    private Turn? _current;

    public ConnectionLoop(IConnectionLoopOwner owner, int capacity, long maxBytes, string sessionId, ChannelsLog log, ChannelsMetrics metrics)
    {
        _owner = owner;
        _capacity = capacity;
        _maxBytes = maxBytes;
        _sessionId = sessionId;
        _log = log;
        _metrics = metrics;
    }

    /// <summary>Ends once the loop has run everything queued and the owner's end.</summary>
    public Task Completion
    {
        get
        {
            lock (_gate)
            {
                if (_completion is null)
                {
                    _completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (_ended && !_running)
                    {
                        _completion.TrySetResult();
                    }
                }

                return _completion.Task;
            }
        }
    }

    /// <summary>
    /// True when the caller runs inside this loop's current item: a handler, or the end. (A task a handler
    /// starts and leaves running counts as inside only while that same item runs.)
    /// </summary>
    public bool IsCurrent => s_turn.Value is { } turn && ReferenceEquals(turn, Volatile.Read(ref _current));

    /// <summary>
    /// Calls <paramref name="callback"/> once the loop has run everything queued and the owner's end (at once
    /// if it has): for whoever tracks live loops, without a task and a continuation per loop.
    /// </summary>
    public void OnEnded(Action<object> callback, object state)
    {
        lock (_gate)
        {
            if (!(_ended && !_running))
            {
                _onEndedState = state;
                _onEnded = callback;
                return;
            }
        }

        callback(state);
    }

    /// <summary>No more items: what is queued still runs, then the owner's end.</summary>
    public void Complete()
    {
        TaskCompletionSource? room;
        bool start;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            room = _room;
            _room = null;
            start = !_running;
            _running = true;
        }

        // Writers waiting for room learn that the loop is ending.
        room?.TrySetResult();
        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>The runner, on the thread pool, in the loop's execution context.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        if (_context is null)
        {
            _ = DrainAsync();
        }
        else
        {
            ExecutionContext.Run(_context, static state => _ = ((ConnectionLoop)state!).DrainAsync(), this);
        }
    }

    /// <summary>Runs items until the queue is empty (the runner then stops), or, once completed and drained, the owner's end.</summary>
    private async Task DrainAsync()
    {
        while (true)
        {
            Item item;
            TaskCompletionSource? room;
            lock (_gate)
            {
                if (_items is { Count: > 0 } items)
                {
                    item = items.Dequeue();

                    // Taken off the queue: its bytes no longer count, and a writer waiting for room may go on.
                    _queuedBytes -= item.Bytes;
                    room = _room;
                    _room = null;
                    if (items.Count == 0)
                    {
                        // An idle loop keeps no storage.
                        _items = null;
                    }
                }
                else if (_completed && !_ended)
                {
                    _ended = true;
                    break;
                }
                else
                {
                    _running = false;
                    return;
                }
            }

            room?.TrySetResult();
            await RunItemAsync(item);
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

        TaskCompletionSource? completion;
        Action<object>? onEnded;
        object? onEndedState;
        lock (_gate)
        {
            _running = false;
            completion = _completion;
            onEnded = _onEnded;
            onEndedState = _onEndedState;
            _onEnded = null;
            _onEndedState = null;
        }

        completion?.TrySetResult();
        onEnded?.Invoke(onEndedState!);
    }

    private async ValueTask RunItemAsync(Item item)
    {
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

    /// <summary>An item starts: a new turn, flowing into what it calls.</summary>
    private void Begin()
    {
        var turn = new Turn();
        Volatile.Write(ref _current, turn);
        s_turn.Value = turn;
    }

    /// <summary>
    /// The item is over: its turn is no longer current, and the loop goes on with no context of its own.
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
