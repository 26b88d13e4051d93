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
/// Where generated handler tables announce themselves (from a module initializer), so that
/// <c>AddChannels()</c> finds the tables of the app and of referenced libraries without reflection.
/// </summary>
public static class ChannelHandlerTables
{
    private static readonly List<Func<IServiceProvider, IChannelHandlerTable>> s_registered = [];

    /// <summary>The factories registered so far.</summary>
    public static IReadOnlyList<Func<IServiceProvider, IChannelHandlerTable>> Registered
    {
        get
        {
            lock (s_registered)
            {
                return [.. s_registered];
            }
        }
    }

    /// <summary>Registers a table factory; called by generated code.</summary>
    public static void Register(Func<IServiceProvider, IChannelHandlerTable> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        lock (s_registered)
        {
            s_registered.Add(factory);
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
