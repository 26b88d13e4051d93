using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Channels.Backplane;
using Channels.Diagnostics;
using Channels.Dispatch;
using Channels.Sockets;
using Channels.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Channels.Admin;

/// <summary>
/// The server side of the Socket.IO Admin UI (docs/research/admin-ui-protocol.md): watches the sockets of
/// every namespace through the runtime's <see cref="ISocketObserver"/> hooks and tells every UI connected
/// to the admin namespace (on any server, through the backplane) what happens: <c>socket_connected</c>,
/// <c>socket_disconnected</c>, <c>room_joined</c>/<c>room_left</c> (channels are the UI's rooms, and each
/// socket is in a room named by its id), <c>event_received</c>/<c>event_sent</c>, and <c>server_stats</c>
/// on a timer. A UI gets <c>config</c> and <c>all_sockets</c> after its CONNECT reply. Its commands are
/// <see cref="AdminHandlers"/>.
/// </summary>
internal sealed class AdminUIServer : ISocketObserver, IHostedService, IDisposable
{
    private readonly AdminUIOptions _options;
    private readonly ChannelPublisher _publisher;
    private readonly ChannelsMetrics _metrics;
    private readonly ChannelsLog _log;
    private readonly TimeProvider _time;
    private readonly IServiceProvider _services;
    private readonly bool _development;
    private readonly ChannelTarget _admins;
    private readonly JsonElement _config;
    private readonly string _serverId;
    private readonly DateTimeOffset _processStart;

    /// <summary>The sockets the UIs have been told about (local ones), with when they connected.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _known = new(StringComparer.Ordinal);
    private AdminStats? _stats;
    private ITimer? _timer;

    public AdminUIServer(AdminUIOptions options, ChannelPublisher publisher, ChannelsMetrics metrics, ChannelsLog log, TimeProvider time, IServiceProvider services)
    {
        _options = options;
        _publisher = publisher;
        _metrics = metrics;
        _log = log;
        _time = time;
        _services = services;
        _development = options.Mode == AdminUIMode.Development;
        _admins = publisher.Namespace(options.Namespace);
        _serverId = options.ServerId ?? Environment.MachineName;
        using (var process = Process.GetCurrentProcess())
        {
            _processStart = process.StartTime.ToUniversalTime();
        }

        _config = AdminJson.Build(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("supportedFeatures");
            if (!options.ReadOnly)
            {
                foreach (var feature in (string[])["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"])
                {
                    json.WriteStringValue(feature);
                }
            }

            json.WriteStringValue("AGGREGATED_EVENTS");
            if (_development)
            {
                json.WriteStringValue("ALL_EVENTS");
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        Handlers = new AdminHandlers(options, publisher, log, services);
    }

    /// <summary>The admin namespace's handlers: the login check, and the commands unless read-only.</summary>
    public AdminHandlers Handlers { get; }

    private string Now => AdminJson.Timestamp(_time.GetUtcNow());

    // ---- the runtime's hooks ----

    public async ValueTask ConnectedAsync(ChannelSocket socket)
    {
        var isAdmin = string.Equals(socket.Namespace, _options.Namespace, StringComparison.Ordinal);
        if (_development && socket is SocketIoSocket local)
        {
            var issued = _time.GetUtcNow();
            _known[socket.Id] = issued;
            Broadcast("socket_connected", AdminJson.Socket(local, issued), AdminJson.Timestamp(issued));
        }

        if (isAdmin)
        {
            // After the CONNECT reply: socket.io-client would replay earlier events before its listeners exist.
            await socket.EmitAsync("config", _config);
            if (_development)
            {
                await socket.EmitAsync("all_sockets", await AllSocketsAsync(socket.Disconnected));
            }
        }
    }

    public void Disconnected(ChannelSocket socket, string reason)
    {
        if (_known.TryRemove(socket.Id, out _))
        {
            var now = Now;
            Broadcast("socket_disconnected", socket.Namespace, socket.Id, reason, now);
            Broadcast("room_left", socket.Namespace, socket.Id, socket.Id, now);
        }
    }

    public void Subscribed(ChannelSocket socket, string channel)
    {
        if (_known.ContainsKey(socket.Id))
        {
            Broadcast("room_joined", socket.Namespace, channel, socket.Id, Now);
        }
    }

    public void Unsubscribed(ChannelSocket socket, string channel)
    {
        if (_known.ContainsKey(socket.Id))
        {
            Broadcast("room_left", socket.Namespace, channel, socket.Id, Now);
        }
    }

    public void EventReceived(ChannelSocket socket, string eventName, ChannelPayload args)
    {
        if (IsWatched(socket))
        {
            Broadcast("event_received", socket.Namespace, socket.Id, AdminJson.EventArguments(eventName, args), Now);
        }
    }

    public void EventSent(ChannelSocket socket, EncodedPacket packet)
    {
        // Never for the admin namespace itself: each event to a UI would report itself, forever.
        if (IsWatched(socket) && AdminJson.SentEvent(packet.Frame.Span) is { } args)
        {
            Broadcast("event_sent", socket.Namespace, socket.Id, args, Now);
        }
    }

    private bool IsWatched(ChannelSocket socket) =>
        _development && !string.Equals(socket.Namespace, _options.Namespace, StringComparison.Ordinal) && _known.ContainsKey(socket.Id);

    /// <summary>
    /// Every socket of every namespace, on every server (<see cref="ChannelTarget.FetchSocketsAsync"/>): those of
    /// this server in full, those of others with what the command reports.
    /// </summary>
    private async Task<JsonElement> AllSocketsAsync(CancellationToken cancellationToken)
    {
        var registry = _publisher.Registry;
        var sockets = new List<JsonElement>();
        foreach (var nsp in Namespaces())
        {
            foreach (var info in await _publisher.Namespace(nsp).FetchSocketsAsync(cancellationToken))
            {
                sockets.Add(registry.FindSocket(info.Id)?.Socket is SocketIoSocket local
                    ? AdminJson.Socket(local, _known.TryGetValue(info.Id, out var issued) ? issued : _time.GetUtcNow())
                    : AdminJson.RemoteSocket(info, _time.GetUtcNow()));
            }
        }

        return AdminJson.Build(json =>
        {
            json.WriteStartArray();
            foreach (var socket in sockets)
            {
                socket.WriteTo(json);
            }

            json.WriteEndArray();
        });
    }

    private IReadOnlyList<string> Namespaces() => _services.GetRequiredService<HandlerCatalog>().Namespaces;

    /// <summary>To every UI, fire and forget (as every broadcast); a failure is logged, never thrown into the runtime's path.</summary>
    private void Broadcast(string name, params object?[] args)
    {
        try
        {
            var pending = _admins.EmitAsync(name, args);
            if (!pending.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(pending, name);
            }
        }
        catch (Exception ex)
        {
            _log.AdminSendFailed(ex, name);
        }
    }

    private async Task ObserveAsync(ValueTask pending, string name)
    {
        try
        {
            await pending;
        }
        catch (Exception ex)
        {
            _log.AdminSendFailed(ex, name);
        }
    }

    // ---- server_stats ----

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The admin namespace is the UI's alone: another handler there would run for UI logins.
        var foreign = _services.GetServices<IChannelHandlerTable>()
            .Where(table => !ReferenceEquals(table, Handlers))
            .SelectMany(static table => table.Handlers)
            .FirstOrDefault(handler => string.Equals(handler.Namespace, _options.Namespace, StringComparison.Ordinal));
        if (foreign is not null)
        {
            throw new InvalidOperationException(
                $"Handler {foreign.Name} is in namespace {_options.Namespace}, which AddAdminUI uses for the Admin UI; move it, or set AdminUIOptions.Namespace to another namespace.");
        }

        _stats = new AdminStats(_metrics, _time);
        _timer = _time.CreateTimer(static state => ((AdminUIServer)state!).SendStats(), this, _options.StatsInterval, _options.StatsInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    private void SendStats()
    {
        var engine = _services.GetRequiredService<EngineServer>();
        var registry = _publisher.Registry;
        var events = _stats?.Drain() ?? [];
        var now = _time.GetUtcNow();
        Broadcast("server_stats", AdminJson.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("serverId", _serverId);
            json.WriteString("hostname", Environment.MachineName);
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteNumber("uptime", Math.Max(0, (now - _processStart).TotalSeconds));
            json.WriteNumber("clientsCount", engine.SessionCount);
            json.WriteNumber("pollingClientsCount", engine.PollingSessionCount);
            json.WriteStartArray("aggregatedEvents");
            foreach (var (timestamp, type, count) in events)
            {
                json.WriteStartObject();
                json.WriteNumber("timestamp", timestamp);
                json.WriteString("type", type);
                json.WriteNumber("count", count);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("namespaces");
            foreach (var nsp in Namespaces())
            {
                json.WriteStartObject();
                json.WriteString("name", nsp);
                json.WriteNumber("socketsCount", registry.CountSockets(nsp));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }));
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _timer, null)?.Dispose();
        Interlocked.Exchange(ref _stats, null)?.Dispose();
    }
}
