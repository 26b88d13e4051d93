using Channels.Dispatch;
using Channels.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Channels;

/// <summary>Registers the Channels server.</summary>
public static class ChannelsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Channels server, its handlers (every generated handler table of the app and its
    /// libraries) and <see cref="IChannelPublisher"/>.
    /// </summary>
    public static IChannelsBuilder AddChannels(this IServiceCollection services, Action<ChannelsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ChannelsOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<ChannelsMetrics>(static sp => new ChannelsMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<ChannelRegistry>();
        services.TryAddSingleton<IChannelDelivery>(static sp => sp.GetRequiredService<ChannelRegistry>());
        services.TryAddSingleton<IChannelBackplane, LocalChannelBackplane>();
        services.TryAddSingleton<ChannelsServer>();
        services.TryAddSingleton<IChannelPublisher, ChannelPublisher>();
        if (!services.Any(static d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ChannelsShutdown)))
        {
            services.AddSingleton<IHostedService, ChannelsShutdown>();
            foreach (var table in ChannelHandlerTables.Registered)
            {
                services.AddSingleton<IChannelHandlerTable>(table);
            }
        }

        return new ChannelsBuilder(services);
    }
}

/// <summary>Extensions on <see cref="IChannelsBuilder"/>.</summary>
public static class ChannelsBuilderExtensions
{
    /// <summary>Adds a handler table built from the app's services (generated tables register themselves).</summary>
    public static IChannelsBuilder AddHandlers(this IChannelsBuilder builder, Func<IServiceProvider, IChannelHandlerTable> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(factory);
        return builder;
    }
}

/// <summary>
/// Where generated handler tables announce themselves (from the app's module initializer, for the app
/// and for every referenced library with handlers), so that <c>AddChannels()</c> finds them without
/// reflection. Each table type is registered once.
/// </summary>
public static class ChannelHandlerTables
{
    private static readonly List<(Type Table, Func<IServiceProvider, IChannelHandlerTable> Factory)> s_registered = [];

    /// <summary>The factories registered so far, in registration order.</summary>
    public static IReadOnlyList<Func<IServiceProvider, IChannelHandlerTable>> Registered
    {
        get
        {
            lock (s_registered)
            {
                return [.. s_registered.Select(static r => r.Factory)];
            }
        }
    }

    /// <summary>Registers a table factory under its table type; a second registration of the same type is ignored.</summary>
    public static void Register(Type tableType, Func<IServiceProvider, IChannelHandlerTable> factory)
    {
        ArgumentNullException.ThrowIfNull(tableType);
        ArgumentNullException.ThrowIfNull(factory);
        lock (s_registered)
        {
            if (!s_registered.Exists(r => r.Table == tableType))
            {
                s_registered.Add((tableType, factory));
            }
        }
    }
}

/// <summary>
/// Ends every connection, with its close sequence, when the host stops: in <c>StoppingAsync</c>, which
/// runs before any hosted service stops, so Kestrel is still serving while clients are told.
/// </summary>
internal sealed class ChannelsShutdown(ChannelsServer server) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => server.ShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
