// filled by the module's author
