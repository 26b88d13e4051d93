using Channels.Backplane;
using Channels.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Channels;

/// <summary>Adds the Redis backplane.</summary>
public static class RedisChannelsBuilderExtensions
{
    /// <summary>
    /// Makes channels, broadcasts, sends and presence span every server that uses the same Redis
    /// (<paramref name="configuration"/>: a StackExchange.Redis configuration string). Also registers the
    /// health check <c>channels-redis</c> (degraded while Redis is unreachable).
    /// </summary>
    public static IChannelsBuilder AddRedisBackplane(this IChannelsBuilder builder, string configuration) =>
        builder.AddRedisBackplane(o => o.Configuration = configuration);

    /// <summary>Adds the Redis backplane with options.</summary>
    public static IChannelsBuilder AddRedisBackplane(this IChannelsBuilder builder, Action<RedisBackplaneOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        builder.Services.TryAddSingleton<RedisBackplane>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IChannelBackplane>(static sp => sp.GetRequiredService<RedisBackplane>()));
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(static sp => sp.GetRequiredService<RedisBackplane>()));

        // Presence: one view in Redis, after the backplane has started (it uses its connection).
        builder.Services.TryAddSingleton<RedisChannelPresence>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IChannelPresence>(static sp => sp.GetRequiredService<RedisChannelPresence>()));
        builder.Services.Insert(1, ServiceDescriptor.Singleton<IHostedService>(static sp => sp.GetRequiredService<RedisChannelPresence>()));
        builder.Services.AddHealthChecks().AddCheck<RedisBackplaneHealthCheck>("channels-redis");
        return builder;
    }
}

/// <summary>Healthy while the backplane is connected to Redis; degraded (local delivery only) otherwise.</summary>
internal sealed class RedisBackplaneHealthCheck(RedisBackplane backplane) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(backplane.IsConnected
            ? HealthCheckResult.Healthy("Connected to Redis.")
            : HealthCheckResult.Degraded("Redis is unreachable: messages reach this server's clients only."));
}
