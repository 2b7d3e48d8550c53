/// The nginx engine: lexer, parser, model, server selection, editor (DESIGN §4).
public enum NginxEngine {}
