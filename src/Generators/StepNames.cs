namespace Channels.Generators;

/// <summary>The tracking names of the generator's steps, for caching tests.</summary>
internal static class StepNames
{
    public const string Handlers = nameof(Handlers);
    public const string Classes = nameof(Classes);
    public const string Assembly = nameof(Assembly);
    public const string Table = nameof(Table);
    public const string ContractPath = nameof(ContractPath);
    public const string Contract = nameof(Contract);
}
