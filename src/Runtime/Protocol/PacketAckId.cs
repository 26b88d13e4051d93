using System.Globalization;
using Channels.Backplane;

namespace Channels.Protocol;

/// <summary>Adds an ack id to an event encoded without one (an emit-with-ack for a socket on another server).</summary>
internal static class PacketAckId
{
    /// <summary>
    /// <c>42["ev",…]</c> becomes <c>42&lt;id&gt;["ev",…]</c>, after the attachment count and the namespace when
    /// there are (<c>451-/admin,&lt;id&gt;[…]</c>); attachments are shared.
    /// </summary>
    public static EncodedPacket With(EncodedPacket packet, long id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        var frame = packet.Frame.Span;
        var at = 2;
        if (frame.Length > 2 && frame[1] == (byte)'5')
        {
            at = frame.IndexOf((byte)'-') + 1;
        }

        if (at < frame.Length && frame[at] == (byte)'/')
        {
            at += frame[at..].IndexOf((byte)',') + 1;
        }

        Span<byte> digits = stackalloc byte[20];
        id.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        var bytes = new byte[frame.Length + length];
        frame[..at].CopyTo(bytes);
        digits[..length].CopyTo(bytes.AsSpan(at));
        frame[at..].CopyTo(bytes.AsSpan(at + length));
        return new EncodedPacket(bytes, packet.Attachments);
    }
}
