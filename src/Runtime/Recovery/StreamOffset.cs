using System.Globalization;

namespace Channels.Recovery;

/// <summary>
/// The position of an event in the replay log, written as a Redis stream entry id (<c>ms-seq</c>) whichever
/// log made it, so that offsets compare the same way in memory and across servers. Clients treat it as opaque.
/// </summary>
internal readonly record struct StreamOffset(long Milliseconds, long Sequence) : IComparable<StreamOffset>
{
    /// <summary>Before every event (<c>0-0</c>).</summary>
    public static StreamOffset Zero => default;

    public int CompareTo(StreamOffset other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(StreamOffset left, StreamOffset right) => left.CompareTo(right) < 0;

    public static bool operator >(StreamOffset left, StreamOffset right) => left.CompareTo(right) > 0;

    public static bool operator <=(StreamOffset left, StreamOffset right) => left.CompareTo(right) <= 0;

    public static bool operator >=(StreamOffset left, StreamOffset right) => left.CompareTo(right) >= 0;

    /// <summary>Parses <c>ms-seq</c> (both non-negative decimal numbers of at most 19 digits); false for anything else.</summary>
    public static bool TryParse(string? text, out StreamOffset offset)
    {
        offset = default;
        if (text is null || text.Length > 40)
        {
            return false;
        }

        var dash = text.IndexOf('-');
        if (dash <= 0 || dash == text.Length - 1
            || !IsDigits(text.AsSpan(0, dash)) || !IsDigits(text.AsSpan(dash + 1))
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        offset = new StreamOffset(ms, seq);
        return true;

        static bool IsDigits(ReadOnlySpan<char> span) => span.Length <= 19 && !span.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>The next offset the log hands out after this one, at <paramref name="now"/> (as Redis does for <c>XADD *</c>).</summary>
    public StreamOffset Next(long now) => now > Milliseconds ? new StreamOffset(now, 0) : this with { Sequence = Sequence + 1 };

    public override string ToString() =>
        Milliseconds.ToString(CultureInfo.InvariantCulture) + "-" + Sequence.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Who a socket is for connection-state recovery: its private id, the id it keeps, where it starts in the log, and whether it was recovered.</summary>
internal sealed record RecoveryIdentity(string Pid, string? SocketId, StreamOffset Start, bool Recovered);
