namespace Channels.Sockets;

/// <summary>
/// A token bucket refilled by the time elapsed, read from a <see cref="TimeProvider"/> timestamp when a
/// caller asks, so no timer runs and tests move the clock. Starts full. Not thread-safe: each bucket
/// belongs to one connection's read side or loop.
/// </summary>
internal struct TokenBucket
{
    private readonly double _capacity;
    private readonly double _perSecond;
    private double _tokens;
    private long _last;

    public TokenBucket(double capacity, double perSecond, long now)
    {
        _capacity = capacity;
        _perSecond = perSecond;
        _tokens = capacity;
        _last = now;
    }

    /// <summary>Refills for the time since the last call; then whether <paramref name="amount"/> is there.</summary>
    public bool Has(double amount, long now, TimeProvider time)
    {
        _tokens = Math.Min(_capacity, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * _perSecond));
        _last = now;
        return _tokens >= amount;
    }

    /// <summary>Takes <paramref name="amount"/> (after <see cref="Has"/> said it is there).</summary>
    public void Take(double amount) => _tokens -= amount;
}
