from affectrange.cli import main

main()
