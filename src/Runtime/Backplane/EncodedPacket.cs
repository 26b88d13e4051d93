namespace Channels.Backplane;

/// <summary>
/// A Socket.IO packet encoded once for the wire: the Engine.IO text frame (starting with <c>4</c>) and
/// its binary attachments. A broadcast sends the same instance to every recipient; a backplane
/// carries these bytes between servers.
/// </summary>
public sealed class EncodedPacket
{
    private static readonly ReadOnlyMemory<byte>[] NoAttachments = [];

    /// <summary>Wraps bytes that are already a complete Engine.IO message frame.</summary>
    /// <param name="frame">The text frame, e.g. <c>42["message","hi"]</c> as UTF-8.</param>
    /// <param name="attachments">Binary attachments referenced by placeholders in <paramref name="frame"/>.</param>
    public EncodedPacket(ReadOnlyMemory<byte> frame, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        if (frame.IsEmpty || frame.Span[0] != (byte)'4')
        {
            throw new ArgumentException("An encoded packet is an Engine.IO message frame that starts with '4'.", nameof(frame));
        }

        Frame = frame;
        Attachments = attachments ?? NoAttachments;
    }

    /// <summary>The Engine.IO text frame, UTF-8.</summary>
    public ReadOnlyMemory<byte> Frame { get; }

    /// <summary>The binary attachments, sent as separate binary messages after <see cref="Frame"/>.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>Bytes of the frame and its attachments.</summary>
    internal long Size
    {
        get
        {
            long size = Frame.Length;
            foreach (var attachment in Attachments)
            {
                size += attachment.Length;
            }

            return size;
        }
    }

    /// <summary>The recovery offset this packet carries as its last argument, if any (set where it is appended).</summary>
    internal string? Offset { get; init; }

    /// <inheritdoc />
    public override string ToString() => System.Text.Encoding.UTF8.GetString(Frame.Span);
}
