namespace Channels.Protocol;

/// <summary>The Engine.IO v4 packet types, by the digit that starts a text packet.</summary>
internal enum EnginePacketType : byte
{
    Open = 0,
    Close = 1,
    Ping = 2,
    Pong = 3,
    Message = 4,
    Upgrade = 5,
    Noop = 6,
}
