using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Channels.Dispatch;
using Channels.Protocol;
using Channels.Transport;

namespace Channels.Sockets;

/// <summary>
/// The Socket.IO layer of one Engine.IO session: decodes packets (reassembling binary ones), resolves
/// acks at once, and hands everything else to one dispatch loop, so the events of a connection run one
/// at a time, in the order received. Runs the close sequence of every socket when the session ends.
/// </summary>
internal sealed class SocketIoConnection : IEngineHandler
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly Channel<Inbound> _inbox;
    private readonly Dictionary<string, SocketIoSocket> _sockets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private SocketIoPacket? _partial;
    private List<ReadOnlyMemory<byte>>? _attachments;
    private bool _connectedOnce;
    private Timer? _connectTimer;
    private string _closeReason = "transport close";

    public SocketIoConnection(ChannelsServer server, EngineSession session, HttpContext httpContext)
    {
        Server = server;
        Session = session;
        HttpContext = httpContext;
        _inbox = Channel.CreateBounded<Inbound>(new BoundedChannelOptions(server.Options.MaxPendingEvents)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _ = RunAsync();
        // A plain timer, disposed at the first connect or at close: a connection does not carry it for the
        // rest of the timeout once connected.
        _connectTimer = new Timer(
            static state =>
            {
                var connection = (SocketIoConnection)state!;
                if (!Volatile.Read(ref connection._connectedOnce))
                {
                    connection.Session.Abort("connect timeout");
                }
            },
            this,
            server.Options.ConnectTimeout,
            Timeout.InfiniteTimeSpan);
    }

    public ChannelsServer Server { get; }

    public EngineSession Session { get; }

    public HttpContext HttpContext { get; }

    // ---- receiving (transport side) ----

    public async ValueTask OnMessageAsync(EnginePacket packet)
    {
        if (packet.IsBinary)
        {
            if (_partial is null)
            {
                await FailAsync("binary message without a packet announcing it");
                return;
            }

            _attachments!.Add(packet.Data);
            if (_attachments.Count == _partial.AttachmentCount)
            {
                var complete = _partial;
                complete.Arguments!.Attachments = [.. _attachments];
                _partial = null;
                _attachments = null;
                await AcceptAsync(complete);
            }

            return;
        }

        if (_partial is not null)
        {
            await FailAsync("text packet while binary attachments were expected");
            return;
        }

        if (!SocketIoParser.TryParse(packet.Data, Server.Options.MaxAttachments, out var parsed, out var error))
        {
            await FailAsync(error!);
            return;
        }

        if (parsed!.Type is SocketIoPacketType.ConnectError)
        {
            await FailAsync("CONNECT_ERROR is sent by servers only");
            return;
        }

        if (parsed.AttachmentCount > 0)
        {
            _partial = parsed;
            _attachments = new List<ReadOnlyMemory<byte>>(parsed.AttachmentCount);
            return;
        }

        await AcceptAsync(parsed);
    }

    private async ValueTask AcceptAsync(SocketIoPacket packet)
    {
        if (packet.Type is SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck)
        {
            if (FindSocket(packet.Namespace) is not { } socket)
            {
                await FailAsync($"ACK for namespace {packet.Namespace}, which is not connected");
                return;
            }

            socket.ResolveAck(packet.AckId, packet.Arguments!);
            return;
        }

        try
        {
            await _inbox.Writer.WriteAsync(new Inbound(packet, null), Session.Closed);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
        }
    }

    private ValueTask FailAsync(string reason)
    {
        Server.Log.InvalidPacket(Session.Id, reason);
        _inbox.Writer.TryWrite(new Inbound(null, reason));
        Session.Abort("invalid packet");
        return ValueTask.CompletedTask;
    }

    public void OnClosed(string reason)
    {
        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        _closeReason = reason;
        _inbox.Writer.TryComplete();
    }

    private SocketIoSocket? FindSocket(string @namespace)
    {
        lock (_gate)
        {
            return _sockets.GetValueOrDefault(@namespace);
        }
    }

    private SocketIoSocket[] ConnectedSockets()
    {
        lock (_gate)
        {
            return [.. _sockets.Values];
        }
    }

    // ---- dispatching (one loop per connection) ----

    private async Task RunAsync()
    {
        await foreach (var item in _inbox.Reader.ReadAllAsync())
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (item.Packet is { } packet)
                {
                    await HandleAsync(packet);
                }
                else
                {
                    await RaiseInvalidPacketAsync(item.Error!);
                }
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed(ex, "dispatch", Session.Id);
            }

            Server.Metrics.Dispatched(Stopwatch.GetElapsedTime(started));
        }

        var clientLeft = _closeReason == "client close";
        foreach (var socket in ConnectedSockets())
        {
            await FinishAsync(socket, clientLeft, _closeReason);
        }
    }

    private ValueTask HandleAsync(SocketIoPacket packet)
    {
        switch (packet.Type)
        {
            case SocketIoPacketType.Connect:
                return ConnectAsync(packet);
            case SocketIoPacketType.Disconnect:
                return FindSocket(packet.Namespace) is { } leaving
                    ? FinishAsync(leaving, clientLeft: true, "client namespace disconnect")
                    : ViolationAsync($"DISCONNECT from namespace {packet.Namespace}, which is not connected");
            default:
                return FindSocket(packet.Namespace) is { } socket
                    ? HandleEventAsync(socket, packet)
                    : ViolationAsync($"event for namespace {packet.Namespace}, which is not connected");
        }
    }

    /// <summary>
    /// A packet that does not fit the connection's state (as the reference server, this closes the
    /// connection): logged, reported to the connected sockets' <c>[OnError]</c>, session closed.
    /// </summary>
    private async ValueTask ViolationAsync(string reason)
    {
        Server.Log.InvalidPacket(Session.Id, reason);
        await RaiseInvalidPacketAsync(reason);
        Session.Abort("invalid packet");
    }

    /// <summary>Reports an invalid packet to the <c>[OnError]</c> handlers of every socket still connected.</summary>
    private async ValueTask RaiseInvalidPacketAsync(string reason)
    {
        foreach (var socket in ConnectedSockets())
        {
            await RaiseErrorAsync(socket, new ChannelProtocolException($"Invalid packet: {reason}"), channel: null);
        }
    }

    private async ValueTask ConnectAsync(SocketIoPacket packet)
    {
        var nsp = packet.Namespace;
        var handlers = Server.Dispatcher.Find(nsp);
        if (handlers is null)
        {
            Server.Log.UnknownNamespace(nsp);
            Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.ConnectError(nsp, "Invalid namespace")));
            return;
        }

        if (FindSocket(nsp) is not null)
        {
            await ViolationAsync($"second CONNECT to {nsp}");
            return;
        }

        var auth = packet.Json.IsEmpty ? EmptyObject : JsonElement.Parse(packet.Json.Span);
        var socket = new SocketIoSocket(this, nsp, auth);
        foreach (var handler in handlers.All(ChannelEventKind.Connect))
        {
            var result = await InvokeAsync(handler, ChannelEventKind.Connect, socket, null, ChannelPayload.Empty, null);
            if (result.Rejected)
            {
                Server.Log.RequestRefused(socket.Id, "connect", result.RejectionMessage ?? "rejected by handler");
                Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.ConnectError(nsp, result.RejectionMessage ?? "Connection rejected")));
                socket.EndFinish();
                return;
            }
        }

        lock (_gate)
        {
            _sockets[nsp] = socket;
        }

        Volatile.Write(ref _connectedOnce, true);
        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        Server.Registry.AddSocket(socket);
        socket.CompleteConnect();
        Server.Log.SocketConnected(socket.Id, nsp);
    }

    private async ValueTask HandleEventAsync(SocketIoSocket socket, SocketIoPacket packet)
    {
        var args = packet.Arguments!;
        switch (packet.EventName)
        {
            case "subscribe":
                Ack(socket, packet, await SubscribeAsync(socket, ChannelArgument(args), fromClient: true));
                return;
            case "unsubscribe":
                Ack(socket, packet, await UnsubscribeAsync(socket, ChannelArgument(args), fromClient: true));
                return;
            case "message":
                await DispatchMessageAsync(socket, null, args);
                Ack(socket, packet, ChannelAck.Success);
                return;
            case "publish":
                var channel = ChannelArgument(args);
                if (channel is null || !socket.IsSubscribed(channel))
                {
                    var error = channel is null ? "publish needs a channel name" : $"not subscribed to channel '{channel}'";
                    Ack(socket, packet, await RefuseAsync(socket, "publish", error, channel));
                    return;
                }

                await DispatchMessageAsync(socket, channel, args.Skip(1));
                Ack(socket, packet, ChannelAck.Success);
                return;
            default:
                await DispatchEventAsync(socket, packet);
                return;
        }
    }

    private static string? ChannelArgument(ChannelPayload args) =>
        args.Count > 0 && args.GetValueKind(0) == JsonValueKind.String ? args.GetString(0) : null;

    private void Ack(SocketIoSocket socket, SocketIoPacket packet, ChannelAck ack)
    {
        if (packet.HasAck)
        {
            socket.Deliver(Server.EncodeAck(socket.Namespace, packet.AckId, ack));
        }
    }

    private async ValueTask DispatchMessageAsync(SocketIoSocket socket, string? channel, ChannelPayload payload)
    {
        var handlers = Server.Dispatcher.Find(socket.Namespace)!;
        socket.CurrentChannel = channel;
        try
        {
            if (channel is not null)
            {
                foreach (var handler in handlers.ForChannel(ChannelEventKind.Message, channel))
                {
                    await InvokeAsync(handler, ChannelEventKind.Message, socket, channel, payload, null);
                }
            }
            else
            {
                await RunSocketWideAsync(handlers.All(ChannelEventKind.Message), ChannelEventKind.Message, socket, payload, null);
            }
        }
        finally
        {
            socket.CurrentChannel = null;
        }
    }

    private async ValueTask DispatchEventAsync(SocketIoSocket socket, SocketIoPacket packet)
    {
        var name = packet.EventName!;
        var handlers = Server.Dispatcher.Find(socket.Namespace)!.ForEvent(name);
        if (handlers.Length == 0)
        {
            var error = $"no handler for event '{name}'";
            var refusal = await RefuseAsync(socket, "event", error, null);
            if (packet.HasAck)
            {
                socket.Deliver(Server.EncodeAck(socket.Namespace, packet.AckId, refusal));
            }

            return;
        }

        HandlerResult? answer = null;
        foreach (var handler in handlers)
        {
            var result = await InvokeAsync(handler, ChannelEventKind.Event, socket, null, packet.Arguments!, null);
            if (result.HasAck && answer is null)
            {
                answer = result;
            }
        }

        if (packet.HasAck)
        {
            socket.Deliver(Server.EncodeAckValue(socket.Namespace, packet.AckId, answer?.AckValue, answer is not null));
        }
    }

    // ---- channels ----

    public async ValueTask<ChannelAck> SubscribeAsync(SocketIoSocket socket, string? channel, bool fromClient)
    {
        var options = Server.Options;
        var error = channel switch
        {
            null or "" => "channel name must be a non-empty string",
            { Length: var length } when length > options.MaxChannelNameLength => $"channel name is longer than {options.MaxChannelNameLength} characters",
            _ when socket.IsSubscribed(channel) => null,
            _ when socket.ChannelCount >= options.MaxSubscriptionsPerSocket => $"subscription limit of {options.MaxSubscriptionsPerSocket} reached",
            _ => null,
        };
        if (error is not null)
        {
            return fromClient ? await RefuseAsync(socket, "subscribe", error, null) : new ChannelAck(false, error);
        }

        if (socket.IsSubscribed(channel!))
        {
            return ChannelAck.Success;
        }

        foreach (var handler in Server.Dispatcher.Find(socket.Namespace)!.ForChannel(ChannelEventKind.Subscribe, channel!))
        {
            var result = await InvokeAsync(handler, ChannelEventKind.Subscribe, socket, channel, ChannelPayload.Empty, null);
            if (result.Rejected)
            {
                Server.Log.RequestRefused(socket.Id, "subscribe", result.RejectionMessage ?? "rejected by handler");
                return new ChannelAck(false, result.RejectionMessage ?? "subscription rejected");
            }
        }

        socket.AddChannel(channel!);
        if (Server.Registry.Subscribe(socket, channel!))
        {
            await Server.Backplane.ChannelOccupiedAsync(socket.Namespace, channel!);
        }

        return ChannelAck.Success;
    }

    public async ValueTask<ChannelAck> UnsubscribeAsync(SocketIoSocket socket, string? channel, bool fromClient)
    {
        if (channel is null || !socket.IsSubscribed(channel))
        {
            var error = channel is null ? "unsubscribe needs a channel name" : $"not subscribed to channel '{channel}'";
            return fromClient ? await RefuseAsync(socket, "unsubscribe", error, channel) : new ChannelAck(false, error);
        }

        foreach (var handler in Server.Dispatcher.Find(socket.Namespace)!.ForChannel(ChannelEventKind.Unsubscribe, channel))
        {
            await InvokeAsync(handler, ChannelEventKind.Unsubscribe, socket, channel, ChannelPayload.Empty, null);
        }

        await RemoveSubscriptionAsync(socket, channel);
        return ChannelAck.Success;
    }

    private async ValueTask RemoveSubscriptionAsync(SocketIoSocket socket, string channel)
    {
        if (socket.RemoveChannel(channel) && Server.Registry.Unsubscribe(socket, channel))
        {
            await Server.Backplane.ChannelVacatedAsync(socket.Namespace, channel);
        }
    }

    /// <summary>A client request the server refuses: logged, reported to <c>[OnError]</c>, answered with the reason.</summary>
    private async ValueTask<ChannelAck> RefuseAsync(SocketIoSocket socket, string request, string error, string? channel)
    {
        Server.Log.RequestRefused(socket.Id, request, error);
        await RaiseErrorAsync(socket, new ChannelProtocolException($"{request}: {error}"), channel);
        return new ChannelAck(false, error);
    }

    // ---- ending ----

    /// <summary>The server ends one socket: DISCONNECT to the client, then the close sequence.</summary>
    public async ValueTask DisconnectAsync(SocketIoSocket socket)
    {
        socket.Deliver(SocketIoFrames.Disconnect(socket.Namespace));
        await FinishAsync(socket, clientLeft: false, "server namespace disconnect");
    }

    /// <summary>
    /// The close sequence: <c>[OnDisconnect]</c> if the client left, <c>[OnUnsubscribe]</c> per channel
    /// held, <c>[OnFinish]</c> with the channels still listed, then the subscriptions go.
    /// </summary>
    public async ValueTask FinishAsync(SocketIoSocket socket, bool clientLeft, string reason)
    {
        if (!socket.BeginFinish())
        {
            return;
        }

        var handlers = Server.Dispatcher.Find(socket.Namespace)!;
        if (clientLeft)
        {
            await RunSocketWideAsync(handlers.All(ChannelEventKind.Disconnect), ChannelEventKind.Disconnect, socket, ChannelPayload.Empty, null);
        }

        var channels = socket.Channels;
        foreach (var channel in channels)
        {
            foreach (var handler in handlers.ForChannel(ChannelEventKind.Unsubscribe, channel))
            {
                await InvokeAsync(handler, ChannelEventKind.Unsubscribe, socket, channel, ChannelPayload.Empty, null);
            }
        }

        await RunSocketWideAsync(handlers.All(ChannelEventKind.Finish), ChannelEventKind.Finish, socket, ChannelPayload.Empty, null);

        foreach (var channel in channels)
        {
            await RemoveSubscriptionAsync(socket, channel);
        }

        lock (_gate)
        {
            _sockets.Remove(socket.Namespace);
        }

        Server.Registry.RemoveSocket(socket);
        socket.EndFinish();
        Server.Log.SocketDisconnected(socket.Id, socket.Namespace, reason);
    }

    /// <summary>
    /// Shutdown: run each socket's close sequence, then close the Engine.IO session (a CLOSE packet after
    /// whatever is queued). No Socket.IO DISCONNECT: socket.io-client treats that as "kicked by the server"
    /// and would not reconnect to the next instance; a transport close makes it reconnect.
    /// </summary>
    public async Task ShutdownAsync()
    {
        foreach (var socket in ConnectedSockets())
        {
            await FinishAsync(socket, clientLeft: false, "server shutting down");
        }

        Session.Close("server shutting down");
    }

    // ---- running handlers ----

    /// <summary>
    /// Runs handlers that concern the socket as a whole: an unpatterned one fires once with no channel;
    /// a patterned one fires once, with the first of the socket's channels it matches.
    /// </summary>
    private async ValueTask RunSocketWideAsync(ChannelHandlerDescriptor[] handlers, ChannelEventKind kind, SocketIoSocket socket, ChannelPayload payload, Exception? exception)
    {
        IReadOnlyCollection<string>? channels = null;
        foreach (var handler in handlers)
        {
            if (handler.Matcher is null)
            {
                await InvokeAsync(handler, kind, socket, null, payload, exception);
                continue;
            }

            channels ??= socket.Channels;
            foreach (var channel in channels)
            {
                if (handler.Matcher(channel))
                {
                    await InvokeAsync(handler, kind, socket, channel, payload, exception);
                    break;
                }
            }
        }
    }

    private async ValueTask<HandlerResult> InvokeAsync(ChannelHandlerDescriptor handler, ChannelEventKind kind, SocketIoSocket socket, string? channel, ChannelPayload payload, Exception? exception)
    {
        try
        {
            return await handler.Invoke(new ChannelEvent(kind, socket, channel, payload, exception, Server.Services));
        }
        catch (ChannelRejectedException rejected) when (kind is ChannelEventKind.Connect or ChannelEventKind.Subscribe)
        {
            return HandlerResult.Reject(rejected.Message);
        }
        catch (Exception ex)
        {
            if (kind == ChannelEventKind.Error)
            {
                Server.Log.ErrorHandlerFailed(ex, socket.Id);
                return HandlerResult.Continue;
            }

            Server.Log.HandlerFailed(ex, handler.Name, socket.Id);
            await RaiseErrorAsync(socket, ex, channel);
            return kind is ChannelEventKind.Connect or ChannelEventKind.Subscribe
                ? HandlerResult.Reject("internal server error")
                : HandlerResult.Continue;
        }
    }

    private ValueTask RaiseErrorAsync(SocketIoSocket socket, Exception exception, string? channel)
    {
        var handlers = Server.Dispatcher.Find(socket.Namespace)!;
        return channel is null
            ? RunSocketWideAsync(handlers.All(ChannelEventKind.Error), ChannelEventKind.Error, socket, ChannelPayload.Empty, exception)
            : RunAllAsync(handlers.ForChannel(ChannelEventKind.Error, channel), socket, channel, exception);
    }

    private async ValueTask RunAllAsync(ChannelHandlerDescriptor[] handlers, SocketIoSocket socket, string channel, Exception exception)
    {
        foreach (var handler in handlers)
        {
            await InvokeAsync(handler, ChannelEventKind.Error, socket, channel, ChannelPayload.Empty, exception);
        }
    }

    private readonly record struct Inbound(SocketIoPacket? Packet, string? Error);
}
