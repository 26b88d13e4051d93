using Channels.Diagnostics;

namespace Channels.Dispatch;

/// <summary>
/// Runs an event's handlers by the rules of <c>docs/handlers.md</c>: which handlers fire (by kind,
/// namespace and channel), in table order, each one whatever the others did; a handler's exception goes
/// to <c>[OnError]</c>; connect and subscribe fail closed; the first ack value of a custom event answers
/// the client. Knows nothing of packets or transports: the connection loop calls it, one event at a time.
/// </summary>
internal sealed class ChannelDispatcher(HandlerCatalog catalog, ChannelsLog log, IServiceProvider services)
{
    /// <summary>Whether clients may connect to <paramref name="namespace"/>.</summary>
    public bool HasNamespace(string @namespace) => catalog.Find(@namespace) is not null;

    /// <summary>Runs <c>[OnConnect]</c>; the first rejection stops the rest. A crash rejects.</summary>
    public async ValueTask<HandlerResult> ConnectAsync(ChannelSocket socket)
    {
        foreach (var handler in Handlers(socket).All(ChannelEventKind.Connect))
        {
            var result = await InvokeAsync(handler, ChannelEventKind.Connect, socket, null, ChannelPayload.Empty, null);
            if (result.Rejected)
            {
                return result;
            }
        }

        return HandlerResult.Continue;
    }

    /// <summary>Whether some <c>[OnSubscribe]</c> handler of the socket's namespace matches <paramref name="channel"/> (declares it).</summary>
    public bool Declares(ChannelSocket socket, string channel) => Handlers(socket).ForChannel(ChannelEventKind.Subscribe, channel).Length > 0;

    /// <summary>Runs the <c>[OnSubscribe]</c> handlers that match; the first rejection stops the rest. A crash rejects.</summary>
    public async ValueTask<HandlerResult> SubscribeAsync(ChannelSocket socket, string channel)
    {
        foreach (var handler in Handlers(socket).ForChannel(ChannelEventKind.Subscribe, channel))
        {
            var result = await InvokeAsync(handler, ChannelEventKind.Subscribe, socket, channel, ChannelPayload.Empty, null);
            if (result.Rejected)
            {
                return result;
            }
        }

        return HandlerResult.Continue;
    }

    /// <summary>Runs the <c>[OnUnsubscribe]</c> handlers that match <paramref name="channel"/>.</summary>
    public async ValueTask UnsubscribeAsync(ChannelSocket socket, string channel)
    {
        foreach (var handler in Handlers(socket).ForChannel(ChannelEventKind.Unsubscribe, channel))
        {
            await InvokeAsync(handler, ChannelEventKind.Unsubscribe, socket, channel, ChannelPayload.Empty, null);
        }
    }

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
        if (limits?.TryAcquire(matched) is { } refusedBy)
        {
            return new EventOutcome(true, null, refusedBy);
        }

        string? failure = null;
        foreach (var handler in matched)
        {
            // Every handler runs, whatever the others did; the first failure answers the client.
            var result = await InvokeAsync(handler, ChannelEventKind.Message, socket, channel, payload, null);
            failure ??= result.Failure;
        }

        return new EventOutcome(matched.Length > 0, null, null, failure);
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
            return new EventOutcome(Handled: true, null, refusedBy);
        }

        HandlerResult? answer = null;
        string? failure = null;
        foreach (var handler in handlers)
        {
            var result = await InvokeAsync(handler, ChannelEventKind.Event, socket, null, payload, null);
            if (result.HasAck && answer is null)
            {
                answer = result;
            }

            failure ??= result.Failure;
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

        foreach (var handler in handlers.ForChannel(ChannelEventKind.Error, channel))
        {
            await InvokeAsync(handler, ChannelEventKind.Error, socket, channel, ChannelPayload.Empty, exception);
        }
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

        if (limits is not null && handlers.HasRateLimits(kind) && limits.TryAcquire(Running(all, firstMatch)) is { } refusedBy)
        {
            return new EventOutcome(true, null, refusedBy);
        }

        string? failure = null;
        var ran = false;
        for (var i = 0; i < all.Length; i++)
        {
            if (all[i].Matcher is null || firstMatch?[i] is not null)
            {
                ran = true;
                var result = await InvokeAsync(all[i], kind, socket, firstMatch?[i], payload, exception);
                failure ??= result.Failure;
            }
        }

        return new EventOutcome(ran, null, null, failure);
    }

    /// <summary>The handlers <see cref="RunSocketWideAsync"/> runs: the unpatterned ones and those with a first match.</summary>
    private static ChannelHandlerDescriptor[] Running(ChannelHandlerDescriptor[] all, string?[]? firstMatch) =>
        [.. all.Where((handler, i) => handler.Matcher is null || firstMatch?[i] is not null)];

    private async ValueTask<HandlerResult> InvokeAsync(ChannelHandlerDescriptor handler, ChannelEventKind kind, ChannelSocket socket, string? channel, ChannelPayload payload, Exception? exception)
    {
        try
        {
            return await handler.Invoke(new ChannelEvent(kind, socket, channel, payload, exception, services));
        }
        catch (ChannelRejectedException rejected) when (kind is ChannelEventKind.Connect or ChannelEventKind.Subscribe)
        {
            return HandlerResult.Reject(rejected.Message);
        }
        catch (Exception ex)
        {
            if (kind == ChannelEventKind.Error)
            {
                log.ErrorHandlerFailed(ex, socket.Id);
                return HandlerResult.Continue;
            }

            log.HandlerFailed(ex, handler.Name, socket.Id);
            await ErrorAsync(socket, ex, channel);
            return kind switch
            {
                ChannelEventKind.Connect or ChannelEventKind.Subscribe => HandlerResult.Reject("internal server error"),

                // The client's ack says what went wrong with its arguments; anything else is the server's business.
                ChannelEventKind.Event or ChannelEventKind.Message => HandlerResult.Failed(
                    ex is ChannelProtocolException ? Protocol.ClientText.Error(ex.Message) : "internal server error"),
                _ => HandlerResult.Continue,
            };
        }
    }
}
