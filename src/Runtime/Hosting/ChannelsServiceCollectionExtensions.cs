using System.ComponentModel;
using Channels.Backplane;
using Channels.Diagnostics;
using Channels.Dispatch;
using Channels.Hosting;
using Channels.Protocol;
using Channels.Recovery;
using Channels.Sockets;
using Channels.Transport;
using Channels.Transport.Handoff;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Channels;

/// <summary>Registers the Channels server.</summary>
public static class ChannelsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Channels server, its handlers (every generated handler table of the app and its
    /// libraries) and <see cref="IChannelPublisher"/>. Options are validated when the app starts.
    /// </summary>
    public static IChannelsBuilder AddChannels(this IServiceCollection services, Action<ChannelsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ChannelsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelsOptions>, ChannelsOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        // First of all of Kestrel's option setups, so that an application's own endpoint defaults replace it.
        if (!services.Any(static d => d.ImplementationType == typeof(WebSocketHandoff.Setup)))
        {
            services.Insert(0, ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, WebSocketHandoff.Setup>());
        }

        services.TryAddSingleton<HandoffPaths>();

        // Each component gets exactly what it uses (docs/architecture.md has the layers).
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new ChannelsMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(static sp => new ChannelsLog(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Channels")));
        services.TryAddSingleton(static sp => new PacketEncoder(Options(sp).JsonSerializerOptions));
        services.TryAddSingleton(static sp => new HandlerCatalog(sp.GetServices<IChannelHandlerTable>(), Options(sp).EventRateLimits.Keys));
        services.TryAddSingleton(static sp => new MessageLogSource(Options(sp).MessageLog is { } log
            ? new MessageLog(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Channels.Messages"), log)
            : null));
        services.TryAddSingleton(static sp => new ChannelRegistry(sp.GetRequiredService<MessageLogSource>().Log));
        services.TryAddSingleton<IChannelDelivery>(static sp => sp.GetRequiredService<ChannelRegistry>());
        services.TryAddSingleton<IChannelBackplane>(static sp => new LocalChannelBackplane(
            sp.GetRequiredService<ChannelRegistry>(),
            Options(sp).ConnectionStateRecovery is { } recovery ? new RecoveryLog(recovery, sp.GetRequiredService<TimeProvider>()) : null,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new SuspendedSocketsSource(Options(sp).ConnectionStateRecovery is { } recovery
            ? new SuspendedSockets(
                recovery,
                sp.GetRequiredService<IChannelBackplane>() as IRecoveryBackplane
                    ?? throw new InvalidOperationException(
                        $"ChannelsOptions.ConnectionStateRecovery needs a backplane that keeps a replay log ({nameof(IRecoveryBackplane)}); " +
                        $"{sp.GetRequiredService<IChannelBackplane>().GetType().Name} does not."),
                sharedStore: sp.GetRequiredService<IChannelBackplane>() is not LocalChannelBackplane,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ChannelsLog>())
            : null));
        services.TryAddSingleton<IChannelPresence, LocalChannelPresence>();
        services.TryAddSingleton(static sp => new ChannelPresence(
            Options(sp),
            sp.GetRequiredService<IChannelPresence>(),
            sp.GetRequiredService<IChannelBackplane>(),
            sp.GetRequiredService<ChannelsLog>()));
        services.TryAddSingleton(static sp => new ChannelDispatcher(
            sp.GetRequiredService<HandlerCatalog>(),
            sp.GetRequiredService<ChannelsLog>(),
            sp,
            sp.GetRequiredService<ChannelsMetrics>()));
        services.TryAddSingleton(static sp => new ChannelRequests(
            Options(sp),
            sp.GetRequiredService<ChannelDispatcher>(),
            sp.GetRequiredService<ChannelRegistry>(),
            sp.GetRequiredService<IChannelBackplane>(),
            sp.GetRequiredService<PacketEncoder>(),
            sp.GetRequiredService<ChannelsLog>(),
            sp.GetService<ISocketObserver>(),
            sp.GetRequiredService<ChannelPresence>()));
        services.TryAddSingleton(static sp => new SocketIoServer(
            Options(sp),
            sp.GetRequiredService<ChannelDispatcher>(),
            sp.GetRequiredService<ChannelRequests>(),
            sp.GetRequiredService<ChannelRegistry>(),
            sp.GetRequiredService<PacketEncoder>(),
            sp.GetRequiredService<ChannelPublisher>(),
            sp.GetRequiredService<ChannelsLog>(),
            sp.GetRequiredService<MessageLogSource>().Log,
            sp.GetRequiredService<ChannelsMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp,
            sp.GetService<ISocketObserver>(),
            sp.GetRequiredService<SuspendedSocketsSource>().Recovery));
        services.TryAddSingleton(static sp => new OriginPolicy(
            Options(sp).AllowedOrigins,
            sp.GetService<IOptions<HostFilteringOptions>>()?.Value.AllowedHosts ?? [],
            sp.GetService<IHostEnvironment>()?.IsDevelopment() == true));
        services.TryAddSingleton(static sp => new EngineServer(
            Options(sp),
            sp.GetRequiredService<ChannelsLog>(),
            sp.GetRequiredService<ChannelsMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<OriginPolicy>(),
            sp.GetRequiredService<SocketIoServer>().CreateConnection));
        services.TryAddSingleton(static sp => new ChannelPublisher(
            sp.GetRequiredService<PacketEncoder>(),
            sp.GetRequiredService<IChannelBackplane>(),
            sp.GetRequiredService<ChannelRegistry>(),
            sp.GetRequiredService<ChannelPresence>()));
        services.TryAddSingleton<IChannelPublisher>(static sp => sp.GetRequiredService<ChannelPublisher>());
        if (!services.Any(static d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ChannelsShutdown)))
        {
            // Exposed only where the app maps health checks (app.MapHealthChecks("/healthz")).
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                "channels",
                static sp => new ChannelsHealthCheck(sp.GetRequiredService<EngineServer>(), sp.GetRequiredService<ChannelRegistry>(), sp.GetRequiredService<IChannelBackplane>()),
                failureStatus: null,
                tags: null));
            services.AddSingleton<IHostedService, ChannelsShutdown>();
            foreach (var table in ChannelHandlerTables.Registered)
            {
                services.AddSingleton<IChannelHandlerTable>(table);
            }
        }

        return new ChannelsBuilder(services);
    }

    private static ChannelsOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<ChannelsOptions>>().Value;
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
/// reflection. Each table type is registered once. Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
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
/// runs before any hosted service stops, so Kestrel is still serving while clients are told. At start it
/// warns about an origin policy that is open, or that will refuse the app's own pages.
/// </summary>
internal sealed class ChannelsShutdown(SocketIoServer server, OriginPolicy origins, ChannelsLog log) : IHostedLifecycleService
{
    /// <summary>Says at start-up when browsers from other sites could connect, or when same-site ones could not.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (origins.AllowsAnyOrigin)
        {
            log.AnyOriginAllowed();
        }
        else if (origins.TrustsAnyHost && !origins.HostsRestricted)
        {
            log.AnyHostTrusted();
        }
        else if (!origins.HostsRestricted)
        {
            log.SameOriginNeedsHosts();
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => server.ShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
