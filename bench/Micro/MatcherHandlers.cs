namespace Channels.Bench.Micro;

/// <summary>One handler per pattern form, so the generator compiles each pattern the benchmark measures.</summary>
public static partial class MatcherHandlers
{
    public const string Literal = "lobby";
    public const string Prefix = "^room-";
    public const string Suffix = "-archive$";
    public const string Alternation = "^(lobby|news|sports)$";
    public const string Automaton = "^room-[0-9]+-[a-z]+$";

    [OnUnsubscribe(Literal)]
    public static void LiteralForm() { }

    [OnUnsubscribe(Prefix)]
    public static void PrefixForm() { }

    [OnUnsubscribe(Suffix)]
    public static void SuffixForm() { }

    [OnUnsubscribe(Alternation)]
    public static void AlternationForm() { }

    [OnUnsubscribe(Automaton)]
    public static void AutomatonForm() { }
}
