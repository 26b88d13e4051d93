using System.Collections.Immutable;
using Channels.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Channels.Generators.Tests;

/// <summary>
/// The TypeScript contract: written only when the project sets <c>ChannelsTypeScriptContract</c>, compared with a
/// baseline, cached like every other output, and used by real front ends: a correct one compiles with <c>tsc</c>,
/// each wrong one (FrontEnds/wrong-*.ts, whose first line names the expected error) fails with that error.
/// </summary>
public sealed class ContractTests
{
    public const string App = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Channels;

        namespace Shop;

        public sealed record Line(string Name, string Text, int? Priority = null);

        public enum Mood { Happy = 1, Grumpy = 2 }

        [JsonConverter(typeof(JsonStringEnumConverter<Color>))]
        public enum Color { Red, Green }

        public sealed class Order
        {
            [JsonPropertyName("order_id")] public Guid Id { get; init; }
            public List<Item> Items { get; init; } = [];
            public Dictionary<string, decimal> Totals { get; init; } = [];
            public Mood Mood { get; init; }
            public Color? Color { get; init; }
            public string? Note { get; init; }
            public DateTimeOffset At { get; init; }
            [JsonIgnore] public string Secret { get; init; } = "";
            public Order? Previous { get; init; }
            public nint Handle { get; init; }

            public sealed record Item(string Sku, int Count);
        }

        public sealed record Total(decimal Sum, string Currency);

        [JsonSerializable(typeof(Line))]
        [JsonSerializable(typeof(Order))]
        [JsonSerializable(typeof(Total))]
        internal abstract partial class ShopJson : JsonSerializerContext
        {
            protected ShopJson()
                : base(null)
            {
            }
        }

        public sealed partial class ShopHandlers
        {
            [OnSubscribe(@"^room-(?<roomId>\d+)$")]
            public bool Room(int roomId) => true;

            [OnSubscribe("^lobby$")]
            public bool Lobby() => true;

            [OnSubscribe(@"^user:(?<user>[^:]+):inbox$")]
            public bool Inbox(string user) => true;

            [OnMessage(@"^room-(?<roomId>\d+)$")]
            public ValueTask Say(ChannelSocket socket, int roomId, Line line, string channel) =>
                socket.Everyone.Channel(channel).SendAsync(line);

            [OnMessage("^lobby$")]
            public void Shout(string text) { }

            [OnMessage]
            public void Plain(ChannelSocket socket, Order order) { }

            [OnEvent("add")]
            public static Total Add(int a, int b) => new(a + b, "EUR");

            [OnEvent("order")]
            public static Task<Order?> Place(Order order, string? note) => Task.FromResult<Order?>(order);

            [OnEvent("ping")]
            public static void Ping() { }

            [OnEvent("blob")]
            public static byte[] Blob(ReadOnlyMemory<byte> data) => data.ToArray();
        }

        [ChannelHandlers(Namespace = "/admin")]
        public static partial class AdminHandlers
        {
            [OnSubscribe]
            public static bool Any(string channel) => true;

            [OnEvent("kick")]
            public static bool Kick(string user, Mood mood) => true;

            [OnEvent("kick")]
            public static void LogKick(string user) { }
        }

        public static class Program
        {
            public static void Main() { }
        }
        """;

    [Fact]
    public void No_contract_without_the_property()
    {
        var (_, files) = GeneratorHarness.RunClean(App);
        Assert.DoesNotContain(ChannelsGenerator.ContractHintName, files.Keys);
    }

    [Fact]
    public void The_contract_of_a_test_app_matches_its_baseline()
    {
        var (contract, diagnostics) = Generate(App);

        var unexpressed = Assert.Single(diagnostics);
        Assert.Equal("CHN0202", unexpressed.Id);
        Assert.Equal(DiagnosticSeverity.Info, unexpressed.Severity);
        Assert.Contains("'nint'", unexpressed.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        VerifyBaseline("Contract.channels-contract", contract);
    }

    [Fact]
    public void An_unrelated_edit_leaves_the_contract_output_cached()
    {
        var compilation = GeneratorHarness.Compile(App);
        var driver = CreateDriver().RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("namespace Shop; internal static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.All(
            result.TrackedSteps[StepNames.Contract].SelectMany(run => run.Outputs),
            output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"the contract step was {output.Reason}"));
        Assert.All(
            result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs),
            output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"a source output was {output.Reason}"));
    }

    [Fact]
    public void Changing_a_payload_type_changes_the_contract()
    {
        var before = Generate(App).Contract;
        var after = Generate(App.Replace("public sealed record Total(decimal Sum, string Currency);", "public sealed record Total(decimal Sum, string Currency, bool Paid = false);", StringComparison.Ordinal)).Contract;

        Assert.NotEqual(before, after);
        Assert.Contains("paid: boolean;", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_correct_front_end_compiles_and_each_wrong_one_fails_with_its_error()
    {
        var (contract, _) = Generate(App);
        var folder = Path.Combine(Repo.Path("tests", "Generators.Tests", "FrontEnds"));
        var files = Directory.GetFiles(folder, "*.ts").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        files["channels-contract.ts"] = contract;

        var (exitCode, errors, output) = await TypeScriptCheck.RunAsync(files);

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain(errors, e => !e.File.StartsWith("wrong-", StringComparison.Ordinal));
        foreach (var wrong in files.Keys.Where(f => f.StartsWith("wrong-", StringComparison.Ordinal)))
        {
            // First line: "// expect: TS2345 text the message contains"
            var expectation = files[wrong].Split('\n')[0]["// expect: ".Length..].Trim();
            var code = expectation.Split(' ')[0];
            var text = expectation[code.Length..].Trim();
            var found = errors.Where(e => e.File == wrong).ToList();
            Assert.True(
                found.Count == 1 && found[0].Code == code && found[0].Message.Contains(text, StringComparison.Ordinal),
                $"{wrong}: expected one {code} containing '{text}', got:\n{string.Join("\n", found)}\n\n{output}");
        }
    }

    /// <summary>The generator with <c>ChannelsTypeScriptContract</c> set, as the package's props make it visible.</summary>
    private static GeneratorDriver CreateDriver() =>
        Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            [new ChannelsGenerator().AsSourceGenerator()],
            parseOptions: GeneratorHarness.ParseOptions,
            optionsProvider: new Options(new Dictionary<string, string> { ["build_property.ChannelsTypeScriptContract"] = "channels-contract.ts" }),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static (string Contract, ImmutableArray<Diagnostic> Diagnostics) Generate(string source) => Generate(GeneratorHarness.Compile(source));

    public static (string Contract, ImmutableArray<Diagnostic> Diagnostics) Generate(Compilation compilation, bool requireClean = true)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(!requireClean || errors.Count == 0, string.Join("\n", errors));
        var file = driver.GetRunResult().GeneratedTrees.Single(t => Path.GetFileName(t.FilePath) == ChannelsGenerator.ContractHintName).GetText().ToString();

        // What the package's targets cut out of the generated file.
        var start = file.IndexOf("\"\"\"\"\n", StringComparison.Ordinal) + 5;
        var end = file.LastIndexOf("\n\"\"\"\"", StringComparison.Ordinal);
        return (file[start..end] + "\n", diagnostics);
    }

    private static void VerifyBaseline(string name, string actual, [System.Runtime.CompilerServices.CallerFilePath] string callerFile = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(callerFile)!, "Baselines", name + ".verified.ts");
        if (Environment.GetEnvironmentVariable(Baseline.UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            Assert.Fail($"{Baseline.UpdateVariable} is on: rewrote {path}. Turn it off and run again.");
        }

        Assert.True(File.Exists(path), $"No baseline {path}. Run with {Baseline.UpdateVariable}=1 to create it, then review it.");
        Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal), actual);
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values([]);
    }

    private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
