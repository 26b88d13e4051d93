using Microsoft.AspNetCore.Connections.Features;

namespace Channels.Transport.Handoff;

/// <summary>
/// The HTTP layer's heartbeat registrations (its timeouts), kept here rather than in the connection's own
/// list, which has no way to remove one: after the handoff the relay forgets them, so the connection no
/// longer keeps Kestrel's HTTP objects alive. Registered with the connection once, on the first callback.
/// It locks itself (no one else sees it): a lock object would outlive the HTTP layer for nothing.
/// </summary>
internal sealed class HeartbeatRelay(IConnectionHeartbeatFeature? inner) : IConnectionHeartbeatFeature
{
    private List<(Action<object> Action, object State)>? _handlers;
    private bool _registered;

    public void OnHeartbeat(Action<object> action, object state)
    {
        lock (this)
        {
            (_handlers ??= []).Add((action, state));
            if (_registered || inner is null)
            {
                return;
            }

            _registered = true;
        }

        inner.OnHeartbeat(static relay => ((HeartbeatRelay)relay).Tick(), this);
    }

    /// <summary>Drops every registration: the HTTP layer is done with the connection.</summary>
    public void Forget()
    {
        lock (this)
        {
            _handlers = null;
        }
    }

    /// <summary>Runs the registrations, under the lock as Kestrel runs its own (the HTTP layer's tick does not register).</summary>
    private void Tick()
    {
        lock (this)
        {
            if (_handlers is null)
            {
                return;
            }

            foreach (var (action, state) in _handlers)
            {
                action(state);
            }
        }
    }
}
