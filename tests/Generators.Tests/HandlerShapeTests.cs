using Channels.Dispatch;
using Microsoft.CodeAnalysis;

namespace Channels.Generators.Tests;

/// <summary>
/// Generated code must never fail to compile, whatever handler code a user writes, valid or not: the
/// generator must not throw, and every diagnostic of the output must be one the user's code has without the
/// generator (a rejected handler is the analyzer's to report, and generates nothing).
/// </summary>
public sealed class HandlerShapeTests
{
    private const string Usings = "using System; using System.Collections.Generic; using System.Threading; using System.Threading.Tasks; using Channels;\n";

    private const string LogAndMain = """

        public static class Log { public static List<string> Entries { get; } = new(); }

        public static class Program { public static void Main() { } }
        """;

    /// <summary>One handler of each shape: name, then the declarations.</summary>
    public static TheoryData<string, string> Shapes => new()
    {
        { "explicit", "public interface IH { void M(string text); } public partial class H : IH { [OnMessage] void IH.M(string text) { } }" },
        { "staticabstract", "public partial interface IH { [OnMessage] static abstract void M(string text); }" },
        { "staticvirtual", "public partial interface IH { [OnMessage] static virtual void M(string text) { } }" },
        { "staticiface", "public partial interface IH { [OnMessage] static void M(string text) { } }" },
        { "dim", "public partial interface IH { [OnMessage] void M(string text) { } }" },
        { "record", "public partial record R(System.Text.Json.JsonElement J) { [OnMessage] public void M(string text) { } }" },
        { "recordstruct", "public partial record struct R(int X) { [OnMessage] public void M(string text) { } }" },
        { "struct", "public partial struct S { [OnMessage] public void M(string text) { } }" },
        { "readonlystruct", "public readonly partial struct S { [OnMessage] public void M(string text) { } }" },
        { "refstruct", "public ref partial struct S { [OnMessage] public void M(string text) { } }" },
        { "genericouter", "public partial class O<T> { public partial class H { [OnMessage] public void M(string text) { } } }" },
        { "inparam", "public partial class H { [OnMessage] public void M(in int x) { } }" },
        { "refreadonly", "public partial class H { [OnMessage] public void M(ref readonly int x) { } }" },
        { "params", "public partial class H { [OnMessage] public void M(params string[] x) { } }" },
        { "paramsspan", "public partial class H { [OnMessage] public void M(params ReadOnlySpan<string> x) { } }" },
        { "scoped", "public partial class H { [OnMessage] public void M(scoped ReadOnlySpan<byte> x) { } }" },
        { "defaults", "public partial class H { [OnMessage] public void M(string text = \"x\", CancellationToken ct = default) { } }" },
        { "optional", "public partial class H { [OnEvent(\"ev\")] public void M([System.Runtime.InteropServices.Optional] int x, int y = 3) { } }" },
        { "names", "public partial class H { [OnError] public void M(ChannelSocket e, Exception handler, string? socket, IDictionary<string, object?> t0, CancellationToken exception) { } [OnMessage(\"^a\")] public void N(string channel, ChannelSocket e, string handler) { } }" },
        { "dynamic", "public partial class H { [OnMessage] public void M(dynamic d) { } }" },
        { "tuple", "public partial class H { [OnMessage] public void M((int A, string B) t) { } [OnMessage] public void N((int C, string D) t) { } [OnEvent(\"t\")] public (int, int) E() => (1, 2); }" },
        { "nullablevalue", "public partial class H { [OnMessage] public void M(int? x) { } [OnEvent(\"n\")] public int? E(int? y) => y; }" },
        { "required", "public partial class H { public required string Name { get; init; } [OnMessage] public void M(string text) { } }" },
        { "requiredset", "public partial class H { public required string Name { get; init; } [System.Diagnostics.CodeAnalysis.SetsRequiredMembers] public H() { Name = \"\"; } [OnMessage] public void M(string text) { } }" },
        { "filelocal", "file partial class H { [OnMessage] public void M(string text) { } }" },
        { "filelocalpayload", "file sealed record P(int X); public partial class H { [OnMessage] internal void M(P p) { } }" },
        { "partialmethod", "public partial class H { [OnMessage] public partial void M(string text); public partial void M(string text) { } }" },
        { "partialmethodimpl", "public partial class H { public partial void M(string text); [OnMessage] public partial void M(string text) { } }" },
        { "partialvoid", "public partial class H { [OnMessage] partial void M(string text); }" },
        { "overloads", "public partial class H { [OnMessage] public void M(string text) { } [OnMessage] public void M(int x) { } [OnMessage] public void M_2() { } }" },
        { "inherit", "public partial class B { [OnMessage] public void M(string text) { } } public partial class D : B { [OnMessage] public void N(string text) { } }" },
        { "inheritstatic", "public partial class B { [OnMessage] public static void M(string text) { } } public partial class D : B { [OnMessage] public static void M(int x) { } }" },
        { "casenames", "public partial class Handlers { [OnMessage] public void M(string text) { } } public partial class handlers { [OnMessage] public void M(string text) { } }" },
        { "nestedvsns", "namespace Outer { public partial class Inner { [OnMessage] public void M(string text) { } } } public partial class Outer2 { public partial class Inner { [OnMessage] public void M(string text) { } } }" },
        { "accessor", "public partial class H { public int P { [OnMessage] get => 0; } }" },
        { "operator", "public partial class H { [OnMessage] public static H operator +(H a, H b) => a; }" },
        { "localfn", "public partial class H { public void X() { [OnMessage] void L(string text) { } L(\"\"); } }" },
        { "lambda", "public partial class H { public Action<string> X = [OnMessage] (string text) => { }; }" },
        { "extern", "public partial class H { [OnMessage] public static extern void M(string text); }" },
        { "obsolete", "public partial class H { [Obsolete(\"x\")] [OnMessage] public void M(string text) { } }" },
        { "nestedvsns2", "namespace Outer { public partial class Inner { [OnMessage] public void M(string text) { } } } public partial class Outer { public partial class Inner { [OnMessage] public void M(string text) { } } }" },
        { "overloads2", "public partial class H { [OnMessage] public void M(string text) { } [OnMessage] public void M(ChannelSocket s) { } [OnMessage] public void M_2() { } }" },
        { "obsoletetype", "[Obsolete(\"x\")] public sealed record P(int X); public partial class H { [OnMessage] public void M(P p) { } }" },
        { "obsoletector", "public partial class H { [Obsolete(\"x\")] public H() { } [OnMessage] public void M(string text) { } }" },
        { "keywordnames", "namespace @class { public partial class @int { [OnMessage] public void @string(string @object) { } } }" },
        { "selfnamed", "namespace Channels2 { public partial class Channels2 { [OnMessage] public void M(string text) { } } }" },
        { "systemns", "namespace Demo.System { public partial class H { [OnMessage] public void M(string text) { } } }" },
        { "nestedprivate", "public partial class O { private partial class H { [OnMessage] public void M(string text) { } } }" },
        { "protectedctor", "public partial class H { protected H() { } [OnMessage] public void M(string text) { } }" },
        { "unsafetype", "public partial class H { [OnMessage] public void M(int*[] p) { } }" },
        { "arrayofspan", "public partial class H { [OnMessage] public void M(List<int>[] p) { } }" },
        { "refreturn", "public partial class H { int _x; [OnEvent(\"r\")] public ref int M() => ref _x; }" },
        { "refreadonlyreturn", "public partial class H { int _x; [OnEvent(\"r\")] public ref readonly int M() => ref _x; }" },
        { "voidtask", "public partial class H { [OnEvent(\"r\")] public System.Threading.Tasks.Task<object> M() => Task.FromResult<object>(1); }" },
        { "iasyncenum", "public partial class H { [OnEvent(\"r\")] public async IAsyncEnumerable<int> M() { yield return 1; await Task.Yield(); } }" },
        { "asyncbool", "public partial class H { [OnConnect] public async Task<bool> M() { await Task.Yield(); return true; } }" },
        { "multiattr", "public partial class H { [OnMessage][OnSubscribe] public bool M(string? channel) => true; }" },
        { "objectpayload", "public partial class H { [OnMessage] public void M(object o) { } }" },
        { "nullablerefpayload", "public partial class H { [OnMessage] public void M(List<string?>? o) { } }" },
        { "abstractpayload", "public abstract class A { } public partial class H { [OnMessage] public void M(A a) { } }" },
        { "interfacepayload", "public partial class H { [OnMessage] public void M(IDisposable a) { } }" },
        { "enumpayload", "public enum E { A } public partial class H { [OnMessage] public void M(E a) { } }" },
        { "nint", "public partial class H { [OnMessage] public void M(nint a) { } }" },
        { "typedref", "public partial class H { [OnMessage] public void M(TypedReference a) { } }" },
        { "voidtaskvalue", "public partial class H { [OnEvent(\"r\")] public ValueTask<ValueTask> M() => default; }" },
        { "nestedgenericpayload", "public partial class H { [OnMessage] public void M(Dictionary<string, List<(int, string)>> a) { } }" },
        { "protectedpayload", "public partial class H { protected internal sealed record P(int X); [OnMessage] public void M(P a) { } }" },
        { "errortype", "public partial class H { [OnMessage] public void M(Missing a) { } }" },
        { "staticlocal", "public static partial class H { [OnMessage] public static void M(string a) { } }" },
        { "constructorwithdefault", "public partial class H(string name = \"x\") { [OnMessage] public void M(string a) { } }" },
        { "ctoroptional", "public partial class H(int? n, CancellationToken t) { [OnMessage] public void M(string a) { } }" },
        { "ctordynamic", "public partial class H(dynamic d) { [OnMessage] public void M(string a) { } }" },
        { "ctorfnptr", "public unsafe partial class H(delegate*<void> d) { [OnMessage] public void M(string a) { } }" },
        { "ctorparams", "public partial class H(params string[] d) { [OnMessage] public void M(string a) { } }" },
        { "ctortuple", "public partial class H((int, int) d) { [OnMessage] public void M(string a) { } }" },
        { "ctorvalue", "public partial class H(int d) { [OnMessage] public void M(string a) { } }" },
        { "privateack", "public partial class H { private sealed record R(int X); [OnEvent(\"r\")] private R M() => new(1); }" },
        { "fileack", "file sealed record R(int X); public partial class H { [OnEvent(\"r\")] internal Task<R> M() => Task.FromResult(new R(1)); }" },
        { "acks", "public abstract class A { } public partial class H { [OnEvent(\"a\")] public A? A() => null; [OnEvent(\"b\")] public IDisposable? B() => null; [OnEvent(\"c\")] public byte[] C() => []; [OnEvent(\"d\")] public ValueTask<ReadOnlyMemory<byte>> D() => default; [OnEvent(\"e\")] public ChannelPayload? E() => null; [OnEvent(\"f\")] public dynamic F() => 1; [OnEvent(\"g\")] public Missing G() => null!; [OnEvent(\"h\")] public Action H2() => () => { }; }" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Handler_shape_adds_no_diagnostic_and_no_generator_failure(string shape, string declarations)
    {
        var compilation = Compile(declarations);
        var (_, files, diagnostics) = GeneratorHarness.Run(compilation);

        var own = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToHashSet(StringComparer.Ordinal);
        var added = diagnostics.Where(d => !own.Contains(d.ToString())).ToList();
        Assert.True(
            added.Count == 0,
            $"{shape}: the generator added\n{string.Join("\n", added)}\n\n{string.Join("\n", files.Select(f => $"==== {f.Key}\n{f.Value}"))}");
    }

    [Fact]
    public async Task Classes_whose_names_differ_only_in_case_get_their_own_files_and_both_run()
    {
        var compilation = Compile("""
            namespace App
            {
                public partial class Handlers { [OnMessage] public void Said(string text) => Log.Entries.Add("Handlers:" + text); }
                public partial class handlers { [OnMessage] public void Said(string text) => Log.Entries.Add("handlers:" + text); }
            }
            """);
        var (output, files) = GeneratorHarness.RunClean(compilation);

        Assert.Equal(["App.Handlers.Channels.g.cs", "App.handlers_2.Channels.g.cs", "ChannelHandlerTable.g.cs"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Handlers:hi", "handlers:hi"], await TableRunner.RunAsync(output, ChannelEventKind.Message, null, "\"hi\""));
    }

    [Fact]
    public void A_nested_class_and_a_namespace_of_the_same_names_get_different_files()
    {
        // C# itself refuses a namespace and a type both named Outer (CS0101); the generator must still not
        // throw, so that the user sees that error and nothing else.
        var compilation = Compile("""
            namespace Outer { public partial class Inner { [OnMessage] public void M(string text) { } } }
            public partial class Outer { public partial class Inner { [OnMessage] public void M(string text) { } } }
            """);
        var (_, files, diagnostics) = GeneratorHarness.Run(compilation);

        Assert.Equal(["ChannelHandlerTable.g.cs", "Outer+Inner.Channels.g.cs", "Outer.Inner.Channels.g.cs"], files.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(diagnostics, d => d.Id == "CS8785");
    }

    [Fact]
    public async Task Nested_classes_and_namespaces_of_the_same_dotted_name_both_run()
    {
        var compilation = Compile("""
            namespace A.B { public partial class C { [OnMessage] public void M(string text) => Log.Entries.Add("A.B.C"); } }
            namespace A { public partial class X { public partial class C { [OnMessage] public void M(string text) => Log.Entries.Add("A.X+C"); } } }
            public partial class B { public partial class C { [OnMessage] public static void M(string text) => Log.Entries.Add("B+C"); } }
            """);
        var (output, files) = GeneratorHarness.RunClean(compilation);

        Assert.Equal(["A.B.C.Channels.g.cs", "A.X+C.Channels.g.cs", "B+C.Channels.g.cs", "ChannelHandlerTable.g.cs"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["A.B.C", "A.X+C", "B+C"], await TableRunner.RunAsync(output, ChannelEventKind.Message, null, "\"hi\""));
    }

    [Fact]
    public async Task Overloads_and_a_method_named_like_a_numbered_overload_each_get_their_own_invoker()
    {
        var compilation = Compile("""
            public partial class H
            {
                [OnMessage] public void M(string text) => Log.Entries.Add("M(string)");
                [OnMessage] public void M(ChannelSocket socket) => Log.Entries.Add("M(socket)");
                [OnMessage] public void M_2() => Log.Entries.Add("M_2()");
            }
            """);
        var (output, files) = GeneratorHarness.RunClean(compilation);

        Assert.Contains("__Channels_M_3(", files["H.Channels.g.cs"], StringComparison.Ordinal);
        Assert.Equal(["M(string)", "M(socket)", "M_2()"], await TableRunner.RunAsync(output, ChannelEventKind.Message, null, "\"hi\""));
    }

    [Fact]
    public async Task Records_structs_derived_classes_and_required_members_with_a_setting_constructor_run()
    {
        var compilation = Compile("""
            public partial record R(Microsoft.Extensions.Options.IOptions<ChannelsOptions> Options) { [OnMessage] public void M(string? text) => Log.Entries.Add("record"); }
            public partial record struct S { [OnMessage] public void M(string? text) => Log.Entries.Add("record struct"); }
            public partial class Base
            {
                [OnMessage] public static void M(string? channel) => Log.Entries.Add("base");
                [OnMessage] public void N() => Log.Entries.Add("base.N");
            }
            public partial class Derived : Base
            {
                [OnMessage] public static new void M(string? channel) => Log.Entries.Add("derived");
                [OnMessage] public new void N() => Log.Entries.Add("derived.N");
            }
            public partial class Required
            {
                [System.Diagnostics.CodeAnalysis.SetsRequiredMembers] public Required() => Name = "required";
                public required string Name { get; init; }
                [OnMessage] public void M(List<string?>? items) => Log.Entries.Add(Name);
            }
            """);
        var (output, _) = GeneratorHarness.RunClean(compilation);

        Assert.Equal(["base", "base.N", "derived", "derived.N", "record", "required", "record struct"], await TableRunner.RunAsync(output, ChannelEventKind.Message, null, "null"));
    }

    private static Microsoft.CodeAnalysis.CSharp.CSharpCompilation Compile(string declarations) =>
        GeneratorHarness.Compile(Usings + declarations + LogAndMain).WithOptions(GeneratorHarness.Compile("").Options.WithAllowUnsafe(true));
}
