using Channels.Protocol;

namespace Channels.Transport;

/// <summary>The session's heartbeat, driven by the server's <see cref="HeartbeatScheduler"/>.</summary>
internal sealed partial class EngineSession
{
    // ---- heartbeat (on the server's HeartbeatScheduler: no timer or task per session) ----

    /// <summary>
    /// The session's beat came due: a ping goes out when none is pending (the answer is awaited for the
    /// ping timeout); otherwise the pending ping went unanswered and the session ends.
    /// </summary>
    internal void OnBeat()
    {
        var heartbeats = _server.Heartbeats;
        lock (_gate)
        {
            if (_state == State.Closed)
            {
                return;
            }

            if (!_awaitingPong)
            {
                var deadline = heartbeats.After(_server.Options.PingTimeout);
                _awaitingPong = true;
                Interlocked.Exchange(ref _pongDeadline, deadline);
                if (_queue.TryEnqueueControl(EngineFrame.Ping))
                {
                    _beat.At(deadline);
                }

                return;
            }
        }

        Abort(EngineCloseReason.PingTimeout);
    }

    /// <summary>The client answered the ping: the next one goes out one ping interval from now.</summary>
    private void OnPong()
    {
        lock (_gate)
        {
            if (!_awaitingPong || _state == State.Closed)
            {
                return;
            }

            _awaitingPong = false;
            Interlocked.Exchange(ref _pongDeadline, 0);
            _beat.At(_server.Heartbeats.After(_server.Options.PingInterval));
        }
    }
}
