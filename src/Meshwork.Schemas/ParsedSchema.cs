namespace Meshwork.Schemas;

/// <summary>A schema parsed by its <see cref="ISchemaFormat"/>, with the form that identifies it.</summary>
public abstract class ParsedSchema
{
    protected ParsedSchema(ISchemaFormat format, string text, string canonical)
    {
        ArgumentNullException.ThrowIfNull(format);
        Format = format;
        Text = text;
        Canonical = canonical;
    }

    /// <summary>The format that parsed it, which also checks its compatibility.</summary>
    public ISchemaFormat Format { get; }

    /// <summary><see cref="ISchemaFormat.Type"/> of <see cref="Format"/>.</summary>
    public string Type => Format.Type;

    /// <summary>The text as given.</summary>
    public string Text { get; }

    /// <summary>
    /// The form two texts of the same schema share (whitespace and comments do not count), used to give one id
    /// to one schema.
    /// </summary>
    public string Canonical { get; }

    public override string ToString() => Canonical;
}
