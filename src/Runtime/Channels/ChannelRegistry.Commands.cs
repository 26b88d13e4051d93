using Channels.Backplane;
using Channels.Protocol;

namespace Channels;

/// <summary>Server-side commands on this server's sockets: the local half of <see cref="ChannelTarget"/>'s actions.</summary>
internal sealed partial class ChannelRegistry
{
    public async ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sockets = Select(command);
        switch (command.Kind)
        {
            case SocketCommandKind.Count:
                return new(sockets.Count);
            case SocketCommandKind.Fetch:
                return new(sockets.Count, [.. sockets.Select(static s => new SocketInfo(s.Id, s.Namespace, s.Subscriptions.ToArray()))]);
            case SocketCommandKind.EmitWithAck:
                return sockets.Count == 0 ? SocketCommandResult.None : await EmitWithAckAsync(sockets[0], command, cancellationToken);
            case SocketCommandKind.Subscribe or SocketCommandKind.Unsubscribe or SocketCommandKind.Disconnect:
                // Each socket's handlers run on its own loop; the loops run side by side.
                var changed = await Task.WhenAll(sockets.Select(s => ChangeAsync(s.Socket, command).AsTask()));
                return new(changed.Count(static c => c));
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Kind, "Unknown command.");
        }
    }

    private static async ValueTask<bool> ChangeAsync(ChannelSocket socket, SocketCommand command)
    {
        switch (command.Kind)
        {
            case SocketCommandKind.Subscribe:
                return await socket.SubscribeAsync(ChannelOf(command));
            case SocketCommandKind.Unsubscribe:
                return await socket.UnsubscribeAsync(ChannelOf(command));
            default:
                await socket.DisconnectAsync();
                return true;
        }
    }

    private static string ChannelOf(SocketCommand command) =>
        command.Channel ?? throw new ArgumentException("Subscribe and unsubscribe need a channel.", nameof(command));

    private static async Task<SocketCommandResult> EmitWithAckAsync(IChannelMember socket, SocketCommand command, CancellationToken cancellationToken)
    {
        var packet = command.Packet ?? throw new ArgumentException("EmitWithAck needs a packet.", nameof(command));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(command.AckTimeout);
        try
        {
            return new(1, ack: await socket.EmitWithAckAsync(PacketEncoder.Readdress(packet, command.Namespace, socket.Namespace), timeout.Token));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Socket '{socket.Id}' did not answer within {command.AckTimeout.TotalMilliseconds:0} ms.");
        }
    }

    /// <summary>The local sockets a command selects, each once, less the one it leaves out.</summary>
    private List<IChannelMember> Select(SocketCommand command)
    {
        var selected = new List<IChannelMember>();
        switch (command.Target)
        {
            case PublicationTarget.Socket:
                if (command.SocketId is { } id && FindSocket(id) is { } one)
                {
                    Add(one);
                }

                break;
            case PublicationTarget.All:
                if (_namespaces.TryGetValue(command.Namespace, out var members))
                {
                    foreach (var socket in members.GetSnapshot())
                    {
                        Add(socket);
                    }
                }

                break;
            default:
                var seen = new HashSet<IChannelMember>();
                foreach (var channel in command.Channels)
                {
                    if (_channels.TryGetValue((command.Namespace, channel), out var group))
                    {
                        foreach (var socket in group.GetSnapshot())
                        {
                            if (seen.Add(socket))
                            {
                                Add(socket);
                            }
                        }
                    }
                }

                break;
        }

        return selected;

        void Add(IChannelMember socket)
        {
            if (command.ExceptSocketId is null || !string.Equals(socket.Id, command.ExceptSocketId, StringComparison.Ordinal))
            {
                selected.Add(socket);
            }
        }
    }
}
