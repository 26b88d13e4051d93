namespace Channels.Transport;

/// <summary>
/// Every session's heartbeat on one timer: a queue of (due time, beat) ordered by due time, and one timer
/// armed for the earliest. Each session has one small <see cref="Beat"/>; an idle session holds no timer,
/// task, delay or cancellation registration of its own (those cost about half a kilobyte per connection).
/// A beat is due at exactly the time the session asked for (the timer is re-armed for the earliest entry),
/// so pings and ping timeouts keep their times to the timer's resolution. Entries are never removed: a
/// rescheduled beat leaves its old entry behind, ignored by its version when it comes due, and an ended
/// session lets go of its beat at once (<see cref="Beat.Cancel"/>), so the queue never keeps a session alive.
/// </summary>
internal sealed class HeartbeatScheduler
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly PriorityQueue<(Beat Beat, int Version), long> _due = new();
    private readonly ITimer _timer;
    private long _armedFor = long.MaxValue;

    public HeartbeatScheduler(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static state => ((HeartbeatScheduler)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Entries queued, stale ones included (for tests).</summary>
    internal int Queued
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>The timestamp <paramref name="delay"/> from now, on the scheduler's clock.</summary>
    public long After(TimeSpan delay) => _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);

    /// <summary>A new beat for <paramref name="session"/>, not yet scheduled.</summary>
    public Beat Create(EngineSession session) => new(this, session);

    private void Schedule(Beat beat, int version, long due)
    {
        lock (_gate)
        {
            _due.Enqueue((beat, version), due);
            if (due < _armedFor)
            {
                Arm(due);
            }
        }
    }

    /// <summary>Under the lock: the timer fires at <paramref name="due"/> (at once if it has passed).</summary>
    private void Arm(long due)
    {
        _armedFor = due;
        var ticks = due - _time.GetTimestamp();
        var delay = ticks <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(ticks / (double)_time.TimestampFrequency);

        // Rounded up to the next millisecond, so the timer never fires before the entry is due.
        delay = TimeSpan.FromTicks((delay.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        List<(Beat Beat, int Version)>? fired = null;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            while (_due.TryPeek(out var entry, out var due) && due <= now)
            {
                _due.Dequeue();
                if (entry.Beat.IsCurrent(entry.Version))
                {
                    (fired ??= []).Add(entry);
                }
            }

            _armedFor = long.MaxValue;
            if (_due.TryPeek(out _, out var next))
            {
                Arm(next);
            }
        }

        if (fired is null)
        {
            return;
        }

        foreach (var (beat, version) in fired)
        {
            beat.Fire(version);
        }
    }

    /// <summary>
    /// One session's place in the schedule: at most one live entry at a time (its version), the others
    /// stale. Cleared when the session ends, so that stale entries hold only this small object.
    /// </summary>
    internal sealed class Beat(HeartbeatScheduler scheduler, EngineSession session)
    {
        private EngineSession? _session = session;
        private int _version;

        /// <summary>Calls the session's <see cref="EngineSession.OnBeat"/> at <paramref name="due"/>, instead of any time asked for before.</summary>
        public void At(long due)
        {
            if (Volatile.Read(ref _session) is null)
            {
                return;
            }

            scheduler.Schedule(this, Interlocked.Increment(ref _version), due);
        }

        /// <summary>No more beats: the session is over.</summary>
        public void Cancel()
        {
            Interlocked.Increment(ref _version);
            Volatile.Write(ref _session, null);
        }

        public bool IsCurrent(int version) => Volatile.Read(ref _version) == version && Volatile.Read(ref _session) is not null;

        public void Fire(int version)
        {
            if (Volatile.Read(ref _session) is { } session && Volatile.Read(ref _version) == version)
            {
                session.OnBeat();
            }
        }
    }
}
