using Channels.Backplane;
using Channels.Transport;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Channels.Diagnostics;

/// <summary>
/// The <c>channels</c> health check: how many sessions and sockets this server holds, how many sessions
/// have filled most of their outbound bound (clients that do not keep up), and the backplane in use.
/// Degraded when a tenth or more of the sessions (at least ten) are near their bound: the server, or its
/// network, is not keeping up with what it sends. The Redis backplane adds its own check, <c>channels-redis</c>.
/// </summary>
internal sealed class ChannelsHealthCheck(EngineServer engine, ChannelRegistry registry, IChannelBackplane backplane) : IHealthCheck
{
    /// <summary>The share of a session's outbound bound above which it counts as near it.</summary>
    public const double NearBound = 0.8;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var sessions = engine.SessionCount;
        var near = engine.CountSessionsNear(NearBound);
        var data = new Dictionary<string, object>
        {
            ["sessions"] = sessions,
            ["sockets"] = registry.SocketCount,
            ["sessionsNearOutboundBound"] = near,
            ["backplane"] = backplane is LocalChannelBackplane ? "local" : backplane.GetType().Name,
        };
        var result = IsDegraded(sessions, near)
            ? HealthCheckResult.Degraded($"{near} of {sessions} sessions have queued over {NearBound:P0} of their outbound bound: clients are not keeping up.", data: data)
            : HealthCheckResult.Healthy($"{sessions} sessions, {registry.SocketCount} sockets.", data);
        return Task.FromResult(result);
    }

    /// <summary>A tenth or more of the sessions, and at least ten, near their bound.</summary>
    public static bool IsDegraded(int sessions, int near) => near >= 10 && near * 10 >= sessions;
}
