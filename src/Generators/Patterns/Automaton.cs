using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Channels.Generators.Patterns;

/// <summary>
/// Maps a character to its class: the characters of one class behave the same in every set of the pattern.
/// ASCII goes through a 128-entry table; above it, <see cref="Intervals"/> split the range and, inside an
/// interval, the class may depend on the Unicode category (for <c>\d</c>, <c>\w</c>, <c>\p{..}</c>).
/// </summary>
internal sealed class CharClassifier(byte[] asciiClasses, IReadOnlyList<ClassInterval> intervals, int classCount)
{
    public byte[] AsciiClasses { get; } = asciiClasses;

    /// <summary>Consecutive intervals covering 0x80..0xFFFF.</summary>
    public IReadOnlyList<ClassInterval> Intervals { get; } = intervals;

    public int ClassCount { get; } = classCount;

    public int Classify(char c)
    {
        if (c < 128)
        {
            return AsciiClasses[c];
        }

        foreach (var interval in Intervals)
        {
            if (c <= interval.Last)
            {
                return interval.ClassByCategory[(int)CharUnicodeInfo.GetUnicodeCategory(c)];
            }
        }

        throw new InvalidOperationException("Intervals must cover the whole range.");
    }
}

/// <summary>Characters <see cref="First"/>..<see cref="Last"/>; the class of one is indexed by its category.</summary>
internal sealed class ClassInterval(int first, int last, int[] classByCategory)
{
    public int First { get; } = first;

    public int Last { get; } = last;

    public int[] ClassByCategory { get; } = classByCategory;

    /// <summary>The class when every category maps to the same one, otherwise -1.</summary>
    public int UniformClass => ClassByCategory.All(c => c == ClassByCategory[0]) ? ClassByCategory[0] : -1;
}

/// <summary>
/// A deterministic automaton with search semantics: it answers "does the pattern match anywhere in the
/// input", reading each character once. <see cref="Transitions"/> hold a state, <see cref="Match"/> (a match
/// has been found, whatever follows) or <see cref="Dead"/> (no match is possible any more).
/// </summary>
internal sealed class Dfa(CharClassifier classifier, int[][] transitions, bool[] acceptAtEnd)
{
    public const int Match = -1;
    public const int Dead = -2;

    public CharClassifier Classifier { get; } = classifier;

    /// <summary>Transitions[state][class]; state 0 is the start.</summary>
    public int[][] Transitions { get; } = transitions;

    /// <summary>Whether the input matches when it ends in this state.</summary>
    public bool[] AcceptAtEnd { get; } = acceptAtEnd;

    public int StateCount => Transitions.Length;

    /// <summary>No input matches (the start state is dead).</summary>
    public bool NeverMatches => StateCount == 0;

    /// <summary>Every input matches (the empty string, and a match before the first character).</summary>
    public bool AlwaysMatches => StateCount > 0 && AcceptAtEnd[0] && Transitions[0].All(t => t == Match);

    public bool IsMatch(string input)
    {
        if (NeverMatches)
        {
            return false;
        }

        var state = 0;
        foreach (var c in input)
        {
            state = Transitions[state][Classifier.Classify(c)];
            if (state < 0)
            {
                return state == Match;
            }
        }

        return AcceptAtEnd[state];
    }
}

/// <summary>
/// Builds a <see cref="Dfa"/> from a pattern tree: Thompson NFA, then subset construction over character
/// classes, then minimisation.
/// </summary>
/// <remarks>
/// Zero-width assertions are resolved during the epsilon closure, which is computed knowing the previous
/// character's word-ness, whether this is position 0, and the next character's class (or the end). <c>$</c>
/// before a character can only hold when that character is the final '\n', so a thread that passes it
/// carries a constraint: "the rest is exactly \n", which becomes "the rest is empty" once the '\n' is read.
/// Search semantics come from re-adding the start thread after every character.
/// </remarks>
internal static class AutomatonBuilder
{
    public const int MaxStates = 512;
    private const int MaxNfaNodes = 5_000;
    private const int MaxClasses = 255;

    // Thread constraints on the remaining input.
    private const int Free = 0;
    private const int RestIsNewline = 1;
    private const int RestIsEmpty = 2;

    public static Dfa Build(RegexNode root, out string? failure)
    {
        failure = null;
        var nfa = new Nfa();
        int start;
        try
        {
            start = nfa.Build(root, nfa.Add(NfaKind.Accept, -1, -1, 0));
        }
        catch (AutomatonTooLargeException)
        {
            failure = "too many automaton states";
            return null!;
        }

        var sets = new List<CharSet>(nfa.Sets);
        var newlineSet = sets.Count;
        sets.Add(CharSet.Char('\n'));
        var wordSet = sets.Count;
        sets.Add(CharSet.BoundaryWord);

        var classifier = BuildClassifier(sets, nfa.UsesWordBoundary, out var membership);
        if (classifier is null)
        {
            failure = "too many character classes";
            return null!;
        }

        var classCount = classifier.ClassCount;
        var isNewline = new bool[classCount];
        var isWord = new bool[classCount];
        for (var k = 0; k < classCount; k++)
        {
            isNewline[k] = membership[k][newlineSet];
            isWord[k] = nfa.UsesWordBoundary && membership[k][wordSet];
        }

        var builder = new SubsetBuilder(nfa, start, classCount, membership, isNewline, isWord);
        if (!builder.Run())
        {
            failure = "too many automaton states";
            return null!;
        }

        return Minimize(classifier, builder.Transitions, builder.AcceptAtEnd);
    }

    /// <summary>Splits the alphabet into classes of characters that belong to the same sets.</summary>
    private static CharClassifier? BuildClassifier(List<CharSet> sets, bool usesWordBoundary, out List<bool[]> membership)
    {
        var classBySignature = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<bool[]>();
        membership = members;
        var relevantSets = usesWordBoundary ? sets.Count : sets.Count - 1;

        int ClassOf(Func<CharSet, bool> contains)
        {
            var bits = new bool[sets.Count];
            var signature = new StringBuilder(sets.Count);
            for (var i = 0; i < relevantSets; i++)
            {
                bits[i] = contains(sets[i]);
                signature.Append(bits[i] ? '1' : '0');
            }

            var key = signature.ToString();
            if (!classBySignature.TryGetValue(key, out var id))
            {
                id = members.Count;
                classBySignature.Add(key, id);
                members.Add(bits);
            }

            return id;
        }

        var ascii = new byte[128];
        for (var c = 0; c < 128; c++)
        {
            var ch = (char)c;
            var id = ClassOf(set => set.ContainsAscii(ch));
            if (id > MaxClasses)
            {
                return null;
            }

            ascii[c] = (byte)id;
        }

        var breaks = new SortedSet<int> { 128 };
        foreach (var set in sets.Take(relevantSets))
        {
            foreach (var s in set.SegmentStarts)
            {
                if (s > 128)
                {
                    breaks.Add(s);
                }
            }
        }

        var starts = breaks.ToList();
        var intervals = new List<ClassInterval>();
        for (var i = 0; i < starts.Count; i++)
        {
            var first = starts[i];
            var last = i + 1 < starts.Count ? starts[i + 1] - 1 : 0xFFFF;
            var byCategory = new int[30];
            for (var category = 0; category < 30; category++)
            {
                var bit = 1u << category;
                byCategory[category] = ClassOf(set => (set.MaskAt(first) & bit) != 0);
            }

            if (intervals.Count > 0 && intervals[intervals.Count - 1].ClassByCategory.SequenceEqual(byCategory))
            {
                var previous = intervals[intervals.Count - 1];
                intervals[intervals.Count - 1] = new ClassInterval(previous.First, last, previous.ClassByCategory);
            }
            else
            {
                intervals.Add(new ClassInterval(first, last, byCategory));
            }
        }

        return members.Count > MaxClasses ? null : new CharClassifier(ascii, intervals, members.Count);
    }

    private static Dfa Minimize(CharClassifier classifier, List<int[]> transitions, List<bool> acceptAtEnd)
    {
        var count = transitions.Count;

        // Live states can still lead to a match; the others are all the same dead end.
        var live = new bool[count];
        for (var changed = true; changed;)
        {
            changed = false;
            for (var s = 0; s < count; s++)
            {
                if (!live[s] && (acceptAtEnd[s] || transitions[s].Any(t => t == Dfa.Match || (t >= 0 && live[t]))))
                {
                    live[s] = true;
                    changed = true;
                }
            }
        }

        if (!live[0])
        {
            return new Dfa(classifier, Array.Empty<int[]>(), Array.Empty<bool>());
        }

        int Target(int t) => t >= 0 && !live[t] ? Dfa.Dead : t;

        // Moore refinement: start from "accepts at end or not", split by the blocks of the targets.
        var block = new int[count];
        for (var s = 0; s < count; s++)
        {
            block[s] = acceptAtEnd[s] ? 1 : 0;
        }

        for (var blockCount = -1; ;)
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var next = new int[count];
            for (var s = 0; s < count; s++)
            {
                if (!live[s])
                {
                    continue;
                }

                var key = new StringBuilder().Append(block[s]);
                foreach (var t in transitions[s])
                {
                    var target = Target(t);
                    key.Append(',').Append(target >= 0 ? block[target] : target);
                }

                var text = key.ToString();
                if (!ids.TryGetValue(text, out var id))
                {
                    id = ids.Count;
                    ids.Add(text, id);
                }

                next[s] = id;
            }

            block = next;
            if (ids.Count == blockCount)
            {
                break;
            }

            blockCount = ids.Count;
        }

        // Number the blocks in breadth-first order from the start so that the output reads top-down.
        var order = new Dictionary<int, int>();
        var representative = new List<int>();
        var queue = new Queue<int>();
        order[block[0]] = 0;
        representative.Add(0);
        queue.Enqueue(0);
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            foreach (var t in transitions[s])
            {
                var target = Target(t);
                if (target >= 0 && !order.ContainsKey(block[target]))
                {
                    order[block[target]] = representative.Count;
                    representative.Add(target);
                    queue.Enqueue(target);
                }
            }
        }

        int Renumber(int target) => target >= 0 ? order[block[target]] : target;

        var minimized = new int[representative.Count][];
        var accepts = new bool[representative.Count];
        for (var i = 0; i < representative.Count; i++)
        {
            var s = representative[i];
            accepts[i] = acceptAtEnd[s];
            minimized[i] = transitions[s].Select(t => Renumber(Target(t))).ToArray();
        }

        return new Dfa(classifier, minimized, accepts);
    }

    private enum NfaKind
    {
        Char,
        Split,
        Assert,
        Accept,
    }

    private sealed class AutomatonTooLargeException : Exception
    {
    }

    /// <summary>A Thompson NFA built backwards: each node is created knowing its continuation.</summary>
    private sealed class Nfa
    {
        private readonly Dictionary<CharSet, int> _setIndex = new();

        public List<NfaKind> Kinds { get; } = new();

        public List<int> Next1 { get; } = new();

        public List<int> Next2 { get; } = new();

        /// <summary>Char: index into <see cref="Sets"/>; Assert: the <see cref="AnchorKind"/>.</summary>
        public List<int> Arg { get; } = new();

        public List<CharSet> Sets { get; } = new();

        public bool UsesWordBoundary { get; private set; }

        public int Add(NfaKind kind, int next1, int next2, int arg)
        {
            if (Kinds.Count >= MaxNfaNodes)
            {
                throw new AutomatonTooLargeException();
            }

            Kinds.Add(kind);
            Next1.Add(next1);
            Next2.Add(next2);
            Arg.Add(arg);
            return Kinds.Count - 1;
        }

        public int Build(RegexNode node, int next)
        {
            switch (node)
            {
                case EmptyNode:
                    return next;
                case CharNode c:
                    return Add(NfaKind.Char, next, -1, SetIndex(CharSet.Char(c.Value)));
                case SetNode s:
                    return Add(NfaKind.Char, next, -1, SetIndex(s.Set));
                case AnchorNode a:
                    UsesWordBoundary |= a.Kind is AnchorKind.WordBoundary or AnchorKind.NonWordBoundary;
                    return Add(NfaKind.Assert, next, -1, (int)a.Kind);
                case ConcatNode concat:
                    for (var i = concat.Items.Count - 1; i >= 0; i--)
                    {
                        next = Build(concat.Items[i], next);
                    }

                    return next;
                case AlternationNode alternation:
                {
                    var entry = Build(alternation.Branches[alternation.Branches.Count - 1], next);
                    for (var i = alternation.Branches.Count - 2; i >= 0; i--)
                    {
                        entry = Add(NfaKind.Split, Build(alternation.Branches[i], next), entry, 0);
                    }

                    return entry;
                }

                case RepeatNode repeat:
                    return BuildRepeat(repeat, next);
                default:
                    throw new InvalidOperationException($"Unexpected node {node.GetType().Name}.");
            }
        }

        private int BuildRepeat(RepeatNode repeat, int next)
        {
            if ((long)repeat.Min * 2 > MaxNfaNodes || (repeat.Max != -1 && (long)repeat.Max * 2 > MaxNfaNodes))
            {
                throw new AutomatonTooLargeException();
            }

            int tail;
            if (repeat.Max == -1)
            {
                // loop: Split(body -> loop, next)
                var loop = Add(NfaKind.Split, -1, next, 0);
                Next1[loop] = Build(repeat.Child, loop);
                tail = loop;
            }
            else
            {
                tail = next;
                for (var i = repeat.Min; i < repeat.Max; i++)
                {
                    tail = Add(NfaKind.Split, Build(repeat.Child, tail), next, 0);
                }
            }

            for (var i = 0; i < repeat.Min; i++)
            {
                tail = Build(repeat.Child, tail);
            }

            return tail;
        }

        private int SetIndex(CharSet set)
        {
            if (!_setIndex.TryGetValue(set, out var index))
            {
                index = Sets.Count;
                Sets.Add(set);
                _setIndex.Add(set, index);
            }

            return index;
        }
    }

    /// <summary>Subset construction. A DFA state is the set of threads before their epsilon closure.</summary>
    private sealed class SubsetBuilder(Nfa nfa, int start, int classCount, List<bool[]> membership, bool[] isNewline, bool[] isWord)
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly List<(int[] Threads, bool AtStart, bool PreviousIsWord)> _states = new();

        public List<int[]> Transitions { get; } = new();

        public List<bool> AcceptAtEnd { get; } = new();

        public bool Run()
        {
            Intern(new[] { Thread(start, Free) }, atStart: true, previousIsWord: false);
            for (var id = 0; id < _states.Count; id++)
            {
                if (_states.Count > MaxStates)
                {
                    return false;
                }

                var (threads, atStart, previousIsWord) = _states[id];
                var closures = new Dictionary<(bool, bool), List<int>>();
                var row = new int[classCount];
                for (var k = 0; k < classCount; k++)
                {
                    var context = (isNewline[k], isWord[k]);
                    if (!closures.TryGetValue(context, out var closure))
                    {
                        closure = Closure(threads, atStart, previousIsWord, k);
                        closures.Add(context, closure);
                    }

                    row[k] = Step(closure, k);
                }

                Transitions.Add(row);
                AcceptAtEnd.Add(Closure(threads, atStart, previousIsWord, -1).Any(t => nfa.Kinds[t / 3] == NfaKind.Accept));
            }

            return _states.Count <= MaxStates;
        }

        private static int Thread(int node, int constraint) => (node * 3) + constraint;

        private int Step(List<int> closure, int k)
        {
            var next = new SortedSet<int>();
            foreach (var thread in closure)
            {
                var node = thread / 3;
                var constraint = thread % 3;
                switch (nfa.Kinds[node])
                {
                    case NfaKind.Accept when constraint == Free:
                        return Dfa.Match;
                    case NfaKind.Accept:
                        // "$" held before this final '\n': the match stands if the input ends right after it.
                        next.Add(Thread(node, RestIsEmpty));
                        break;
                    case NfaKind.Char when membership[k][nfa.Arg[node]]:
                        next.Add(Thread(nfa.Next1[node], constraint == RestIsNewline ? RestIsEmpty : Free));
                        break;
                }
            }

            next.Add(Thread(start, Free));
            return Intern(next.ToArray(), atStart: false, previousIsWord: isWord[k]);
        }

        private int Intern(int[] threads, bool atStart, bool previousIsWord)
        {
            var key = new StringBuilder().Append(atStart ? 'S' : '-').Append(previousIsWord ? 'W' : '-');
            foreach (var t in threads)
            {
                key.Append(',').Append(t);
            }

            var text = key.ToString();
            if (!_ids.TryGetValue(text, out var id))
            {
                id = _states.Count;
                _ids.Add(text, id);
                _states.Add((threads, atStart, previousIsWord));
            }

            return id;
        }

        /// <summary>
        /// Threads reachable without reading, stopped at Char and Accept nodes. <paramref name="nextClass"/>
        /// is the class of the next character, or -1 at the end of the input.
        /// </summary>
        private List<int> Closure(int[] threads, bool atStart, bool previousIsWord, int nextClass)
        {
            var atEnd = nextClass < 0;
            var nextIsNewline = !atEnd && isNewline[nextClass];
            var nextIsWord = !atEnd && isWord[nextClass];
            var result = new List<int>();
            var seen = new HashSet<int>();
            var stack = new Stack<int>();
            foreach (var t in threads)
            {
                if (t % 3 == RestIsEmpty && !atEnd)
                {
                    continue;
                }

                if (seen.Add(t))
                {
                    stack.Push(t);
                }
            }

            void Push(int node, int constraint)
            {
                var t = Thread(node, constraint);
                if (seen.Add(t))
                {
                    stack.Push(t);
                }
            }

            while (stack.Count > 0)
            {
                var t = stack.Pop();
                var node = t / 3;
                var constraint = t % 3;
                switch (nfa.Kinds[node])
                {
                    case NfaKind.Char:
                    case NfaKind.Accept:
                        result.Add(t);
                        break;
                    case NfaKind.Split:
                        Push(nfa.Next1[node], constraint);
                        Push(nfa.Next2[node], constraint);
                        break;
                    case NfaKind.Assert:
                        var passes = (AnchorKind)nfa.Arg[node] switch
                        {
                            AnchorKind.Beginning => atStart,
                            AnchorKind.End => atEnd,
                            AnchorKind.EndOrFinalNewline => atEnd || nextIsNewline,
                            AnchorKind.WordBoundary => previousIsWord != nextIsWord,
                            _ => previousIsWord == nextIsWord,
                        };
                        if (passes)
                        {
                            var kind = (AnchorKind)nfa.Arg[node];
                            var narrowed = kind == AnchorKind.EndOrFinalNewline && !atEnd && constraint == Free ? RestIsNewline : constraint;
                            Push(nfa.Next1[node], narrowed);
                        }

                        break;
                }
            }

            return result;
        }
    }
}
