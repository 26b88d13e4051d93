using Channels.Protocol;

namespace Channels.Sockets;

/// <summary>What a <see cref="ConnectionLoop"/> runs its items on.</summary>
internal interface IConnectionLoopOwner
{
    /// <summary>A client's packet (not an ACK: those never wait in the loop).</summary>
    ValueTask HandleAsync(SocketIoPacket packet);

    /// <summary>An invalid packet, to report to handlers.</summary>
    ValueTask HandleInvalidAsync(string reason);

    /// <summary>The loop was completed and has run everything queued: the close sequence.</summary>
    ValueTask OnLoopEndedAsync();
}
