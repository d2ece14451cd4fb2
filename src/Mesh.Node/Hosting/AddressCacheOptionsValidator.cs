using Mesh.Node.State;
using Microsoft.Extensions.Options;

namespace Mesh.Node.Hosting;

/// <summary>Start-up check of <c>Mesh:Node:AddressCache</c>: a bad bound stops the ztunnel naming the key.</summary>
public sealed class AddressCacheOptionsValidator : IValidateOptions<AddressCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, AddressCacheOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentOutOfRangeException e)
        {
            return ValidateOptionsResult.Fail($"{e.Message.Split(" (Parameter", 2)[0]} (got {e.ActualValue})");
        }
    }
}
