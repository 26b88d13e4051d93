using Channels.Sockets;

namespace Channels.Dispatch;

/// <summary>
/// The named limits of <see cref="ChannelsOptions.EventRateLimits"/> for one connection: a token bucket per
/// name, made when a handler naming it first receives an event. An event is charged once to every
/// distinct limit its handlers name, all or nothing. Used from the connection's loop only.
/// </summary>
internal sealed class EventRateLimiter(IDictionary<string, EventRateLimit> limits, TimeProvider time, Action disconnect)
{
    private Dictionary<string, State>? _states;
    private bool _disconnecting;

    /// <summary>
    /// Takes a permit from each limit that <paramref name="handlers"/> name; returns null when they name none
    /// or every one had a permit, otherwise the name of a limit that refused (and no permit is taken). Past
    /// that limit's <see cref="EventRateLimit.MaxRefusalsInARow"/>, the connection is disconnected.
    /// </summary>
    public string? TryAcquire(ReadOnlySpan<ChannelHandlerDescriptor> handlers)
    {
        var now = 0L;
        for (var i = 0; i < handlers.Length; i++)
        {
            if (handlers[i].RateLimit is not { } name)
            {
                continue;
            }

            now = now == 0 ? time.GetTimestamp() : now;
            var state = StateOf(name, now);
            if (!state.Bucket.Has(1, now, time))
            {
                // Once: events already queued behind the one that crossed the line are refused quietly.
                if (++state.RefusedInARow > state.Limit.MaxRefusalsInARow && !_disconnecting)
                {
                    _disconnecting = true;
                    disconnect();
                }

                return name;
            }
        }

        for (var i = 0; i < handlers.Length; i++)
        {
            if (handlers[i].RateLimit is { } name && FirstNaming(handlers, i, name))
            {
                var state = _states![name];
                state.Bucket.Take(1);
                state.RefusedInARow = 0;
            }
        }

        return null;
    }

    private State StateOf(string name, long now)
    {
        _states ??= new Dictionary<string, State>(StringComparer.Ordinal);
        if (!_states.TryGetValue(name, out var state))
        {
            // HandlerCatalog checked at start-up that every name a handler uses is configured.
            var limit = limits[name];
            _states[name] = state = new State(limit, new TokenBucket(limit.Burst, limit.PermitsPerSecond, now));
        }

        return state;
    }

    private static bool FirstNaming(ReadOnlySpan<ChannelHandlerDescriptor> handlers, int index, string name)
    {
        for (var i = 0; i < index; i++)
        {
            if (string.Equals(handlers[i].RateLimit, name, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class State(EventRateLimit limit, TokenBucket bucket)
    {
        public EventRateLimit Limit { get; } = limit;

        public TokenBucket Bucket = bucket;

        public int RefusedInARow;
    }
}
