namespace Channels.Hosting;

/// <summary>The runtime's <see cref="IChannelPublisher"/>: encodes once and hands the packet to the backplane.</summary>
internal sealed class ChannelPublisher(ChannelsServer server) : IChannelPublisher
{
    public ValueTask SendAsync<T>(string socketId, T message)
    {
        ArgumentNullException.ThrowIfNull(socketId);
        var nsp = server.Registry.FindSocket(socketId)?.Namespace ?? "/";
        return server.Backplane.PublishAsync(ChannelPublication.ToSocket(socketId, server.EncodeMessage(nsp, message, channel: null)));
    }

    public ValueTask BroadcastAsync<T>(T message) =>
        server.Backplane.PublishAsync(ChannelPublication.ToAll("/", server.EncodeMessage("/", message, channel: null)));

    public ValueTask BroadcastChannelAsync<T>(T message, string channel)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return server.Backplane.PublishAsync(ChannelPublication.ToChannels("/", [channel], [server.EncodeMessage("/", message, channel)]));
    }
}
