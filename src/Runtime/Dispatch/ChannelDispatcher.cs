using Channels.Diagnostics;

namespace Channels.Dispatch;

/// <summary>
/// Runs an event's handlers by the rules of <c>docs/handlers.md</c>: which handlers fire (by kind,
/// namespace and channel), in table order, each one whatever the others did; a handler's exception goes
/// to <c>[OnError]</c>; connect and subscribe fail closed; the first ack value of a custom event answers
/// the client. Knows nothing of packets or transports: the connection loop calls it, one event at a time.
/// Each event that runs handlers (or that a rate limit refuses) is traced and counted by <see cref="DispatchTelemetry"/>.
/// </summary>
internal sealed class ChannelDispatcher(HandlerCatalog catalog, ChannelsLog log, IServiceProvider services, ChannelsMetrics? metrics = null)
{
    private readonly DispatchTelemetry _telemetry = new(metrics);

    /// <summary>Whether clients may connect to <paramref name="namespace"/>.</summary>
    public bool HasNamespace(string @namespace) => catalog.Find(@namespace) is not null;

    /// <summary>Runs <c>[OnConnect]</c>; the first rejection stops the rest. A crash rejects.</summary>
    public ValueTask<HandlerResult> ConnectAsync(ChannelSocket socket) =>
        RunUntilRejectedAsync(Handlers(socket).All(ChannelEventKind.Connect), ChannelEventKind.Connect, socket, null);

    /// <summary>Whether some <c>[OnSubscribe]</c> handler of the socket's namespace matches <paramref name="channel"/> (declares it).</summary>
    public bool Declares(ChannelSocket socket, string channel) => Handlers(socket).ForChannel(ChannelEventKind.Subscribe, channel).Length > 0;

    /// <summary>Runs the <c>[OnSubscribe]</c> handlers that match; the first rejection stops the rest. A crash rejects.</summary>
    public ValueTask<HandlerResult> SubscribeAsync(ChannelSocket socket, string channel) =>
        RunUntilRejectedAsync(Handlers(socket).ForChannel(ChannelEventKind.Subscribe, channel), ChannelEventKind.Subscribe, socket, channel);

    /// <summary>Runs the <c>[OnUnsubscribe]</c> handlers that match <paramref name="channel"/>.</summary>
    public async ValueTask UnsubscribeAsync(ChannelSocket socket, string channel) =>
        await RunEachAsync(Handlers(socket).ForChannel(ChannelEventKind.Unsubscribe, channel), ChannelEventKind.Unsubscribe, socket, channel, ChannelPayload.Empty, null);

    /// <summary>
    /// Runs <c>[OnMessage]</c>: for a message published to a channel, the handlers that match it; for a
    /// plain message, each handler once (see <see cref="RunSocketWideAsync"/>). Says which rate limit refused
    /// the message (then none ran), or the first failure of a handler that ran.
    /// </summary>
    public async ValueTask<EventOutcome> MessageAsync(ChannelSocket socket, string? channel, ChannelPayload payload, EventRateLimiter? limits)
    {
        var handlers = Handlers(socket);
        if (channel is null)
        {
            return await RunSocketWideAsync(handlers, ChannelEventKind.Message, socket, payload, null, limits);
        }

        var matched = handlers.ForChannel(ChannelEventKind.Message, channel);
        if (matched.Length == 0)
        {
            return new EventOutcome(false, null, null);
        }

        if (limits?.TryAcquire(matched) is { } refusedBy)
        {
            Refused(ChannelEventKind.Message, socket, null, refusedBy);
            return new EventOutcome(true, null, refusedBy);
        }

        // Every handler runs, whatever the others did; the first failure answers the client.
        var failure = await RunEachAsync(matched, ChannelEventKind.Message, socket, channel, payload, null);
        return new EventOutcome(true, null, null, failure);
    }

    /// <summary>
    /// Runs the handlers of a custom event: whether it has any, the first ack value a handler gave, and the
    /// name of the rate limit that refused the event, if one did (then no handler ran).
    /// </summary>
    public async ValueTask<EventOutcome> EventAsync(ChannelSocket socket, string name, ChannelPayload payload, EventRateLimiter? limits)
    {
        var handlers = Handlers(socket).ForEvent(name);
        if (handlers.Length == 0)
        {
            return new EventOutcome(Handled: false, null, null);
        }

        if (limits?.TryAcquire(handlers) is { } refusedBy)
        {
            Refused(ChannelEventKind.Event, socket, name, refusedBy);
            return new EventOutcome(Handled: true, null, refusedBy);
        }

        HandlerResult? answer = null;
        string? failure = null;
        var scope = DispatchTelemetry.StartEvent(ChannelEventKind.Event, socket.Namespace, name);
        try
        {
            foreach (var handler in handlers)
            {
                var result = await InvokeAsync(handler, ChannelEventKind.Event, socket, null, payload, null);
                if (result.HasAck && answer is null)
                {
                    answer = result;
                }

                failure ??= result.Failure;
            }
        }
        finally
        {
            _telemetry.EndEvent(scope, ChannelEventKind.Event, socket.Namespace, name, failure is null ? DispatchOutcome.Ok : DispatchOutcome.Error);
        }

        return new EventOutcome(Handled: true, answer, null, failure);
    }

    /// <summary>Runs <c>[OnDisconnect]</c> (the client left), once per handler.</summary>
    public async ValueTask DisconnectAsync(ChannelSocket socket) =>
        await RunSocketWideAsync(Handlers(socket), ChannelEventKind.Disconnect, socket, ChannelPayload.Empty, null, null);

    /// <summary>Runs <c>[OnFinish]</c>, once per handler.</summary>
    public async ValueTask FinishAsync(ChannelSocket socket) =>
        await RunSocketWideAsync(Handlers(socket), ChannelEventKind.Finish, socket, ChannelPayload.Empty, null, null);

    /// <summary>
    /// Runs <c>[OnError]</c> with <paramref name="exception"/>: those matching <paramref name="channel"/>,
    /// or with no channel, each once (as <see cref="RunSocketWideAsync"/>).
    /// </summary>
    public async ValueTask ErrorAsync(ChannelSocket socket, Exception exception, string? channel)
    {
        var handlers = Handlers(socket);
        if (channel is null)
        {
            await RunSocketWideAsync(handlers, ChannelEventKind.Error, socket, ChannelPayload.Empty, exception, null);
            return;
        }

        await RunEachAsync(handlers.ForChannel(ChannelEventKind.Error, channel), ChannelEventKind.Error, socket, channel, ChannelPayload.Empty, exception);
    }

    /// <summary>A client request the server refuses: logged, reported to <c>[OnError]</c>, and the answer for its ack.</summary>
    public async ValueTask<ChannelAck> RefuseAsync(ChannelSocket socket, string request, string error, string? channel)
    {
        log.RequestRefused(socket.Id, request, error);
        await ErrorAsync(socket, new ChannelProtocolException($"{request}: {error}"), channel);
        return new ChannelAck(false, error);
    }

    private NamespaceHandlers Handlers(ChannelSocket socket) =>
        catalog.Find(socket.Namespace) ?? throw new InvalidOperationException($"No handlers for namespace {socket.Namespace}.");

    /// <summary>
    /// Runs handlers that concern the socket as a whole: an unpatterned one fires once with no channel; a
    /// patterned one fires once, with the first of the socket's channels (in subscription order) that it
    /// matches. Which handlers match a channel comes from the catalog's cache, so no pattern is tested
    /// again for a channel already seen. With <paramref name="limits"/>, the handlers that would run are
    /// charged first; a refusal runs none and says which limit refused.
    /// </summary>
    private async ValueTask<EventOutcome> RunSocketWideAsync(
        NamespaceHandlers handlers, ChannelEventKind kind, ChannelSocket socket, ChannelPayload payload, Exception? exception, EventRateLimiter? limits)
    {
        var all = handlers.All(kind);
        string?[]? firstMatch = null;
        if (handlers.HasPatterned(kind))
        {
            foreach (var channel in socket.Channels)
            {
                // The handlers for a channel are in table order, a subsequence of `all`: walk both together.
                var j = 0;
                foreach (var handler in handlers.ForChannel(kind, channel))
                {
                    while (!ReferenceEquals(all[j], handler))
                    {
                        j++;
                    }

                    if (handler.Matcher is not null)
                    {
                        firstMatch ??= new string?[all.Length];
                        firstMatch[j] ??= channel;
                    }
                }
            }
        }

        var any = false;
        for (var i = 0; i < all.Length && !any; i++)
        {
            any = all[i].Matcher is null || firstMatch?[i] is not null;
        }

        if (!any)
        {
            return new EventOutcome(false, null, null);
        }

        if (limits is not null && handlers.HasRateLimits(kind) && limits.TryAcquire(Running(all, firstMatch)) is { } refusedBy)
        {
            Refused(kind, socket, null, refusedBy);
            return new EventOutcome(true, null, refusedBy);
        }

        string? failure = null;
        var scope = DispatchTelemetry.StartEvent(kind, socket.Namespace, null);
        try
        {
            for (var i = 0; i < all.Length; i++)
            {
                if (all[i].Matcher is null || firstMatch?[i] is not null)
                {
                    var result = await InvokeAsync(all[i], kind, socket, firstMatch?[i], payload, exception);
                    failure ??= result.Failure;
                }
            }
        }
        finally
        {
            _telemetry.EndEvent(scope, kind, socket.Namespace, null, failure is null ? DispatchOutcome.Ok : DispatchOutcome.Error);
        }

        return new EventOutcome(true, null, null, failure);
    }

    /// <summary>Runs connect or subscribe handlers in order; the first rejection stops the rest and is the answer.</summary>
    private async ValueTask<HandlerResult> RunUntilRejectedAsync(ChannelHandlerDescriptor[] handlers, ChannelEventKind kind, ChannelSocket socket, string? channel)
    {
        if (handlers.Length == 0)
        {
            return HandlerResult.Continue;
        }

        var answer = HandlerResult.Continue;
        var scope = DispatchTelemetry.StartEvent(kind, socket.Namespace, null);
        try
        {
            foreach (var handler in handlers)
            {
                var result = await InvokeAsync(handler, kind, socket, channel, ChannelPayload.Empty, null);
                if (result.Rejected)
                {
                    answer = result;
                    break;
                }
            }
        }
        finally
        {
            _telemetry.EndEvent(scope, kind, socket.Namespace, null, Outcome(answer));
        }

        return answer;
    }

    /// <summary>Runs every handler, whatever the others did, in one event's activity; the first failure.</summary>
    private async ValueTask<string?> RunEachAsync(ChannelHandlerDescriptor[] handlers, ChannelEventKind kind, ChannelSocket socket, string? channel, ChannelPayload payload, Exception? exception)
    {
        if (handlers.Length == 0)
        {
            return null;
        }

        string? failure = null;
        var scope = DispatchTelemetry.StartEvent(kind, socket.Namespace, null);
        try
        {
            foreach (var handler in handlers)
            {
                var result = await InvokeAsync(handler, kind, socket, channel, payload, exception);
                failure ??= result.Failure;
            }
        }
        finally
        {
            _telemetry.EndEvent(scope, kind, socket.Namespace, null, failure is null ? DispatchOutcome.Ok : DispatchOutcome.Error);
        }

        return failure;
    }

    /// <summary>An event a rate limit refused: an activity of its own (no handler ran) and a count.</summary>
    private void Refused(ChannelEventKind kind, ChannelSocket socket, string? eventName, string limit)
    {
        var scope = DispatchTelemetry.StartEvent(kind, socket.Namespace, eventName);
        _telemetry.EndEvent(scope, kind, socket.Namespace, eventName, DispatchOutcome.RateLimited, limit);
    }

    /// <summary>The handlers <see cref="RunSocketWideAsync"/> runs: the unpatterned ones and those with a first match.</summary>
    private static ChannelHandlerDescriptor[] Running(ChannelHandlerDescriptor[] all, string?[]? firstMatch) =>
        [.. all.Where((handler, i) => handler.Matcher is null || firstMatch?[i] is not null)];

    private async ValueTask<HandlerResult> InvokeAsync(ChannelHandlerDescriptor handler, ChannelEventKind kind, ChannelSocket socket, string? channel, ChannelPayload payload, Exception? exception)
    {
        var span = _telemetry.StartHandler(handler);
        try
        {
            var result = await handler.Invoke(new ChannelEvent(kind, socket, channel, payload, exception, services));
            _telemetry.EndHandler(span, handler, Outcome(result), null);
            return result;
        }
        catch (ChannelRejectedException rejected) when (kind is ChannelEventKind.Connect or ChannelEventKind.Subscribe)
        {
            _telemetry.EndHandler(span, handler, DispatchOutcome.Rejected, null);
            return HandlerResult.Reject(rejected.Message);
        }
        catch (Exception ex)
        {
            // The handler's activity ends here, so that the [OnError] run that follows is its sibling, not its child.
            _telemetry.EndHandler(span, handler, DispatchOutcome.Error, ex);
            if (kind == ChannelEventKind.Error)
            {
                log.ErrorHandlerFailed(ex, socket.Id);
                return HandlerResult.Failed("internal server error");
            }

            log.HandlerFailed(ex, handler.Name, socket.Id);
            await ErrorAsync(socket, ex, channel);
            return kind switch
            {
                // A channel whose named groups do not convert is the client's mistake: the refusal says so.
                ChannelEventKind.Connect or ChannelEventKind.Subscribe => HandlerResult.Crashed(
                    ex is ChannelProtocolException ? Protocol.ClientText.Error(ex.Message) : "internal server error"),

                // The client's ack says what went wrong with its arguments; anything else is the server's business.
                ChannelEventKind.Event or ChannelEventKind.Message => HandlerResult.Failed(
                    ex is ChannelProtocolException ? Protocol.ClientText.Error(ex.Message) : "internal server error"),
                // Nobody waits for an answer to these; the failure only tags the event's trace and metrics.
                _ => HandlerResult.Failed("internal server error"),
            };
        }
    }

    private static DispatchOutcome Outcome(HandlerResult result) =>
        result.Failure is not null ? DispatchOutcome.Error : result.Rejected ? DispatchOutcome.Rejected : DispatchOutcome.Ok;
}
