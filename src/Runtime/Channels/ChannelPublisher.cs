using Channels.Backplane;
using Channels.Protocol;

namespace Channels;

/// <summary>The runtime's <see cref="IChannelPublisher"/>: encodes once and hands the packet to the backplane.</summary>
internal sealed class ChannelPublisher(PacketEncoder encoder, IChannelBackplane backplane, ChannelRegistry registry) : IChannelPublisher
{
    public ValueTask SendAsync<T>(string socketId, T message)
    {
        ArgumentNullException.ThrowIfNull(socketId);

        // Encoded for the socket's namespace when it is here; otherwise for "/", and the server that holds
        // the socket re-addresses it (ChannelRegistry.Deliver).
        var nsp = registry.FindSocket(socketId)?.Namespace ?? "/";
        return backplane.PublishAsync(ChannelPublication.ToSocket(nsp, socketId, encoder.Message(nsp, message, channel: null)));
    }

    public ValueTask BroadcastAsync<T>(T message) =>
        backplane.PublishAsync(ChannelPublication.ToAll("/", encoder.Message("/", message, channel: null)));

    public ValueTask BroadcastChannelAsync<T>(T message, string channel)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return backplane.PublishAsync(ChannelPublication.ToChannels("/", [channel], [encoder.Message("/", message, channel)]));
    }
}
