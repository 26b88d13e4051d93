using Channels.Protocol;

namespace Channels.Transport;

/// <summary>What sits on top of an Engine.IO session: the Socket.IO layer, or an echo in the conformance host.</summary>
internal interface IEngineHandler
{
    /// <summary>Called for each message packet, in the order received. The packet's bytes belong to the callee.</summary>
    ValueTask OnMessageAsync(EnginePacket packet);

    /// <summary>Called once, when the session has ended for any reason.</summary>
    void OnClosed(EngineCloseReason reason);
}
