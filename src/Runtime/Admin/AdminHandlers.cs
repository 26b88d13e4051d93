using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Channels.Diagnostics;
using Channels.Dispatch;
using Channels.Sockets;
using Channels.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Admin;

/// <summary>
/// The admin namespace's handler table, written by hand (no generator, no reflection): a connect handler that
/// checks the UI's credentials, and, unless read-only, the UI's commands <c>join</c>, <c>leave</c>,
/// <c>_disconnect</c> and <c>emit</c>, carried out with the server API (<see cref="ChannelTarget"/>). A
/// command names a namespace and a "room": a socket id (every socket is in the room of its id) or a
/// channel; no room means the whole namespace. Commands are not acked: the UI learns the outcome from the
/// <c>room_*</c> and <c>socket_*</c> events.
/// </summary>
internal sealed class AdminHandlers : IChannelHandlerTable
{
    /// <summary>The text the UI recognises and shows as "Invalid credentials".</summary>
    public const string InvalidCredentials = "invalid credentials";

    private readonly AdminUIOptions _options;
    private readonly ChannelPublisher _publisher;
    private readonly ChannelsLog _log;
    private readonly IServiceProvider _services;
    private readonly byte[]? _username;
    private readonly byte[]? _password;

    public AdminHandlers(AdminUIOptions options, ChannelPublisher publisher, ChannelsLog log, IServiceProvider services)
    {
        _options = options;
        _publisher = publisher;
        _log = log;
        _services = services;
        _username = options.Username is null ? null : Hash(options.Username);
        _password = options.Password is null ? null : Hash(options.Password);
        var nsp = options.Namespace;
        List<ChannelHandlerDescriptor> handlers = [new(ChannelEventKind.Connect, nsp, "AdminUI.Login", LoginAsync)];
        if (!options.ReadOnly)
        {
            handlers.Add(new(ChannelEventKind.Event, nsp, "AdminUI.Join", e => CommandAsync(e, JoinAsync), eventName: "join"));
            handlers.Add(new(ChannelEventKind.Event, nsp, "AdminUI.Leave", e => CommandAsync(e, LeaveAsync), eventName: "leave"));
            handlers.Add(new(ChannelEventKind.Event, nsp, "AdminUI.Disconnect", e => CommandAsync(e, DisconnectAsync), eventName: "_disconnect"));
            handlers.Add(new(ChannelEventKind.Event, nsp, "AdminUI.Emit", e => CommandAsync(e, EmitAsync), eventName: "emit"));
        }

        Handlers = handlers;
    }

    public IReadOnlyList<ChannelHandlerDescriptor> Handlers { get; }

    // ---- login ----

    private async ValueTask<HandlerResult> LoginAsync(ChannelEvent e)
    {
        var auth = e.Socket.Auth;
        var accepted = _options.Authenticate is { } authenticate
            ? await authenticate(auth)
            : Matches(auth, "username", _username) & Matches(auth, "password", _password);
        if (accepted)
        {
            return HandlerResult.Continue;
        }

        _log.AdminLoginRefused(e.Socket.Id);
        return HandlerResult.Reject(InvalidCredentials);
    }

    /// <summary>Compares hashes in constant time, so that neither the length nor the content of the secret leaks through timing.</summary>
    private static bool Matches(JsonElement auth, string property, byte[]? expected) =>
        expected is not null
        && auth.ValueKind == JsonValueKind.Object
        && auth.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String
        && CryptographicOperations.FixedTimeEquals(Hash(value.GetString()!), expected);

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    // ---- commands ----

    private async ValueTask<HandlerResult> CommandAsync(ChannelEvent e, Func<ChannelPayload, CancellationToken, ValueTask> command)
    {
        var name = e.Payload.Count > 0 ? "command" : "empty command";
        try
        {
            _log.AdminCommand(e.Socket.Id, name, Encoding.UTF8.GetString(e.Payload.ToJson()));
            await command(e.Payload, e.CancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.AdminCommandFailed(ex, name);
        }

        return HandlerResult.Continue;
    }

    /// <summary><c>join(nsp, room, filter?)</c>: the sockets of the filter subscribe to the channel <c>room</c>.</summary>
    private async ValueTask JoinAsync(ChannelPayload args, CancellationToken cancellationToken)
    {
        if (String(args, 1) is { Length: > 0 } room && await TargetAsync(args, 2, cancellationToken) is { } target)
        {
            await target.SubscribeAsync(room, cancellationToken);
        }
    }

    /// <summary><c>leave(nsp, room, filter?)</c>: the sockets of the filter leave the channel <c>room</c> (not the room of their id).</summary>
    private async ValueTask LeaveAsync(ChannelPayload args, CancellationToken cancellationToken)
    {
        if (String(args, 1) is { Length: > 0 } room && room != String(args, 2) && await TargetAsync(args, 2, cancellationToken) is { } target)
        {
            await target.UnsubscribeAsync(room, cancellationToken);
        }
    }

    /// <summary>
    /// <c>_disconnect(nsp, close, filter?)</c>: the sockets leave their namespace; with <c>close</c>, the whole
    /// connection of each socket of this server is closed too (the UI's "disconnect this client").
    /// </summary>
    private async ValueTask DisconnectAsync(ChannelPayload args, CancellationToken cancellationToken)
    {
        if (await TargetAsync(args, 2, cancellationToken) is not { } target)
        {
            return;
        }

        var close = args.Count > 1 && args.GetValueKind(1) == JsonValueKind.True;
        var sessions = new List<EngineSession>();
        if (close)
        {
            foreach (var socket in await target.FetchSocketsAsync(cancellationToken))
            {
                if (_publisher.Registry.FindSocket(socket.Id)?.Socket is SocketIoSocket local)
                {
                    sessions.Add(local.Session);
                }
            }
        }

        await target.DisconnectAsync(cancellationToken);
        foreach (var session in sessions)
        {
            session.Close(EngineCloseReason.ServerClose);
        }
    }

    /// <summary><c>emit(nsp, filter, eventName, …args)</c>: the event, with the arguments as the UI sent them.</summary>
    private async ValueTask EmitAsync(ChannelPayload args, CancellationToken cancellationToken)
    {
        if (String(args, 2) is { Length: > 0 } eventName && await TargetAsync(args, 1, cancellationToken) is { } target)
        {
            var values = new object?[args.Count - 3];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = args.GetElement(i + 3);
            }

            await target.EmitAsync(eventName, values);
        }
    }

    /// <summary>
    /// The sockets a command names: every socket of the namespace without a filter; the socket with that id (on
    /// any server) if it is in the namespace; else the subscribers of the channel of that name. Null for a
    /// namespace without handlers (nothing can be connected there) or a socket of another namespace.
    /// </summary>
    private async ValueTask<ChannelTarget?> TargetAsync(ChannelPayload args, int filterIndex, CancellationToken cancellationToken)
    {
        if (String(args, 0) is not { Length: > 0 } nsp || !_services.GetRequiredService<HandlerCatalog>().Namespaces.Contains(nsp))
        {
            return null;
        }

        if (String(args, filterIndex) is not { Length: > 0 } filter)
        {
            return _publisher.Namespace(nsp);
        }

        var sockets = await _publisher.Socket(filter).FetchSocketsAsync(cancellationToken);
        if (sockets.Count > 0)
        {
            return sockets[0].Namespace == nsp ? _publisher.Socket(filter) : null;
        }

        return _publisher.Namespace(nsp).Channel(filter);
    }

    private static string? String(ChannelPayload args, int index) =>
        index < args.Count && args.GetValueKind(index) == JsonValueKind.String ? args.GetString(index) : null;
}
