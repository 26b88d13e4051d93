namespace Channels.Protocol;

/// <summary>The Socket.IO v5 packet types, by the digit that starts a packet.</summary>
internal enum SocketIoPacketType : byte
{
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}
