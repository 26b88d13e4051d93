using Channels.Backplane;

namespace Channels;

/// <summary>The default backplane: this server only.</summary>
internal sealed class LocalChannelBackplane(ChannelRegistry registry) : IChannelBackplane
{
    public ValueTask PublishAsync(ChannelPublication publication)
    {
        registry.Deliver(publication);
        return ValueTask.CompletedTask;
    }

    public ValueTask ChannelOccupiedAsync(string @namespace, string channel) => ValueTask.CompletedTask;

    public ValueTask ChannelVacatedAsync(string @namespace, string channel) => ValueTask.CompletedTask;

    public ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken) =>
        registry.ExecuteAsync(command, cancellationToken);
}
