using System.Text.Json;
using Channels.Backplane;
using Channels.Diagnostics;
using Channels.Dispatch;
using Channels.Protocol;

namespace Channels;

/// <summary>
/// The channel requests of <c>docs/protocol.md</c>: <c>subscribe</c>, <c>unsubscribe</c>, <c>publish</c>,
/// <c>presence</c> and plain <c>message</c> from clients, and the server's own subscribe and unsubscribe. Applies the
/// limits (name length, subscriptions per socket), runs the handlers through the dispatcher, keeps the
/// registry and the backplane up to date, and answers acks.
/// </summary>
internal sealed class ChannelRequests(
    ChannelsOptions options,
    ChannelDispatcher dispatcher,
    ChannelRegistry registry,
    IChannelBackplane backplane,
    PacketEncoder encoder,
    ChannelsLog log,
    ISocketObserver? observer = null,
    ChannelPresence? presence = null)
{
    /// <summary>Presence (tracked members per channel), when the app has it (always, in an app built by <c>AddChannels</c>).</summary>
    public ChannelPresence? Presence => presence;

    /// <summary>Whether <paramref name="eventName"/> is one of the reserved channel requests.</summary>
    public static bool IsRequest(string eventName) => eventName is "subscribe" or "unsubscribe" or "message" or "publish" or PresenceDiff.EventName;

    /// <summary>
    /// Carries out a client's request and answers its ack, if it asked for one. A message over a rate limit
    /// its handlers name (<paramref name="limits"/>) is refused in the ack and runs no handler.
    /// </summary>
    public async ValueTask HandleAsync(IChannelMember member, string request, ChannelPayload args, long ackId, EventRateLimiter? limits)
    {
        ChannelAck ack;
        switch (request)
        {
            case "subscribe":
                ack = await SubscribeAsync(member, ChannelArgument(args), fromClient: true);
                break;
            case "unsubscribe":
                ack = await UnsubscribeAsync(member, ChannelArgument(args), fromClient: true);
                break;
            case "message":
                ack = await MessageAsync(member, null, args, limits);
                break;
            case PresenceDiff.EventName:
                await PresenceStateAsync(member, ChannelArgument(args), ackId);
                return;
            default:
                var channel = ChannelArgument(args);
                if (channel is null || !member.Subscriptions.Contains(channel))
                {
                    var error = channel is null ? "publish needs a channel name" : $"not subscribed to channel '{ClientText.Excerpt(channel)}'";
                    // No channel for [OnError]: the name is the client's, not one the socket holds, and a
                    // name matched against patterns is cached.
                    ack = await dispatcher.RefuseAsync(member.Socket, "publish", error, null);
                    break;
                }

                ack = await MessageAsync(member, channel, args.Skip(1), limits);
                break;
        }

        if (ackId >= 0)
        {
            member.Deliver(encoder.Ack(member.Namespace, ackId, ack));
        }
    }

    /// <summary>
    /// Subscribes a socket: checks the name and the limit, runs <c>[OnSubscribe]</c>, then adds the
    /// subscription. Subscribing again to a channel held is a success that runs no handler.
    /// </summary>
    public async ValueTask<ChannelAck> SubscribeAsync(IChannelMember member, string? channel, bool fromClient)
    {
        var subscriptions = member.Subscriptions;
        var held = channel is { Length: > 0 } && channel.Length <= options.MaxChannelNameLength && subscriptions.Contains(channel);
        var error = channel switch
        {
            _ when subscriptions.IsClosed => "the socket is disconnected",
            null or "" => "channel name must be a non-empty string of valid text",
            { Length: var length } when length > options.MaxChannelNameLength => $"channel name is longer than {options.MaxChannelNameLength} characters",
            _ when held => null,
            _ when subscriptions.Count >= options.MaxSubscriptionsPerSocket => $"subscription limit of {options.MaxSubscriptionsPerSocket} reached",
            _ when fromClient && !options.AllowUndeclaredChannels && !dispatcher.Declares(member.Socket, channel) =>
                $"channel '{ClientText.Excerpt(channel)}' is not open for subscription",
            _ => null,
        };
        if (error is not null)
        {
            return fromClient ? await dispatcher.RefuseAsync(member.Socket, "subscribe", error, null) : new ChannelAck(false, error);
        }

        if (held)
        {
            return ChannelAck.Success;
        }

        // A handler may track the socket in the channel meanwhile: it joins once the subscription is decided.
        presence?.BeginSubscribe(member, channel!);
        HandlerResult result;
        byte[]? tracked;
        try
        {
            result = await dispatcher.SubscribeAsync(member.Socket, channel!);
        }
        finally
        {
            tracked = presence?.EndSubscribe(member, channel!);
        }

        if (result.Rejected)
        {
            var reason = result.RejectionMessage ?? "subscription rejected";
            log.RequestRefused(member.Id, "subscribe", reason);
            return new ChannelAck(false, reason);
        }

        if (tracked is not null && await JoinAsync(member, channel!, tracked) is { } refused)
        {
            return fromClient ? await dispatcher.RefuseAsync(member.Socket, "subscribe", refused, null) : new ChannelAck(false, refused);
        }

        if (subscriptions.Add(channel!))
        {
            observer?.Subscribed(member.Socket, channel!);
            if (registry.Subscribe(member, channel!))
            {
                await backplane.ChannelOccupiedAsync(member.Namespace, channel!);
            }
        }
        else if (tracked is not null && presence is not null)
        {
            // The socket closed while its handlers ran: the join made for it is undone.
            await presence.LeaveAsync(member, channel!);
        }

        return ChannelAck.Success;
    }

    /// <summary>Ends a subscription: runs <c>[OnUnsubscribe]</c> while the channel is still held, then removes it.</summary>
    public async ValueTask<ChannelAck> UnsubscribeAsync(IChannelMember member, string? channel, bool fromClient)
    {
        if (channel is null || !member.Subscriptions.Contains(channel))
        {
            var error = channel is null ? "unsubscribe needs a channel name" : $"not subscribed to channel '{ClientText.Excerpt(channel)}'";
            return fromClient ? await dispatcher.RefuseAsync(member.Socket, "unsubscribe", error, null) : new ChannelAck(false, error);
        }

        await dispatcher.UnsubscribeAsync(member.Socket, channel);
        await RemoveAsync(member, channel);
        return ChannelAck.Success;
    }

    /// <summary>
    /// Gives a socket recovered on this server from another one the channels it held there, without handlers
    /// (they ran when it subscribed), up to the per-socket limit.
    /// </summary>
    public async ValueTask RestoreAsync(IChannelMember member, IEnumerable<string> channels)
    {
        foreach (var channel in channels)
        {
            if (member.Subscriptions.Count >= options.MaxSubscriptionsPerSocket
                || channel.Length == 0 || channel.Length > options.MaxChannelNameLength || !member.Subscriptions.Add(channel))
            {
                continue;
            }

            observer?.Subscribed(member.Socket, channel);
            if (registry.Subscribe(member, channel))
            {
                await backplane.ChannelOccupiedAsync(member.Namespace, channel);
            }

            if (presence is not null)
            {
                await presence.AdoptAsync(member, channel);
            }
        }
    }

    /// <summary>
    /// Removes every subscription of a socket that has left (its handlers have run) and closes its set. A
    /// socket <paramref name="handedOff"/> to another server (it recovered there) keeps its presence there.
    /// </summary>
    public async ValueTask RemoveAllAsync(IChannelMember member, bool handedOff = false)
    {
        foreach (var channel in member.Subscriptions.ToArray())
        {
            await RemoveAsync(member, channel, handedOff);
        }

        member.Subscriptions.Close();
    }

    private async ValueTask RemoveAsync(IChannelMember member, string channel, bool handedOff = false)
    {
        if (member.Subscriptions.Remove(channel))
        {
            observer?.Unsubscribed(member.Socket, channel);
            if (registry.Unsubscribe(member, channel))
            {
                await backplane.ChannelVacatedAsync(member.Namespace, channel);
            }

            // After the registry: the leaving socket is not sent its own leave.
            if (presence is not null && handedOff)
            {
                await presence.ForgetAsync(member, channel);
            }
            else if (presence is not null)
            {
                await presence.LeaveAsync(member, channel);
            }
        }
    }

    /// <summary>The join of a socket tracked in <c>[OnSubscribe]</c>, before the subscription is added; the refusal, if any.</summary>
    private async ValueTask<string?> JoinAsync(IChannelMember member, string channel, byte[] meta)
    {
        try
        {
            return await presence!.JoinAsync(member, channel, meta);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await dispatcher.ErrorAsync(member.Socket, ex, channel);
            return "presence is unavailable";
        }
    }

    /// <summary>Answers <c>["presence", channel]</c>: the channel's members, to its subscribers only.</summary>
    private async ValueTask PresenceStateAsync(IChannelMember member, string? channel, long ackId)
    {
        object ack;
        if (ackId < 0 && channel is not null && member.Subscriptions.Contains(channel))
        {
            // Nobody to answer: the state is not read.
            return;
        }

        if (channel is null || !member.Subscriptions.Contains(channel) || presence is null)
        {
            var error = channel is null ? "presence needs a channel name" : $"not subscribed to channel '{ClientText.Excerpt(channel)}'";
            ack = await dispatcher.RefuseAsync(member.Socket, PresenceDiff.EventName, error, null);
        }
        else
        {
            try
            {
                ack = await presence.StateAsync(member.Namespace, channel, member.Socket.Disconnected) is { } state
                    ? state
                    : await dispatcher.RefuseAsync(member.Socket, PresenceDiff.EventName, $"presence of channel '{ClientText.Excerpt(channel)}' is too large to send", null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await dispatcher.ErrorAsync(member.Socket, ex, channel);
                ack = new ChannelAck(false, "presence is unavailable");
            }
        }

        if (ackId >= 0)
        {
            member.Deliver(ack is ChannelAck refusal ? encoder.Ack(member.Namespace, ackId, refusal) : encoder.AckValue(member.Namespace, ackId, ack, hasValue: true));
        }
    }

    /// <summary>Runs <c>[OnMessage]</c> with the channel it was published to, known to broadcasts made meanwhile.</summary>
    private async ValueTask<ChannelAck> MessageAsync(IChannelMember member, string? channel, ChannelPayload payload, EventRateLimiter? limits)
    {
        member.Subscriptions.Current = channel;
        try
        {
            return (await dispatcher.MessageAsync(member.Socket, channel, payload, limits)).Error ?? ChannelAck.Success;
        }
        finally
        {
            member.Subscriptions.Current = null;
        }
    }

    /// <summary>The channel name a request starts with; null when it is missing, not a string, or not valid text.</summary>
    private static string? ChannelArgument(ChannelPayload args) =>
        args.Count > 0 && args.GetValueKind(0) == JsonValueKind.String && args.TryGetString(0, out var channel) ? channel : null;
}
