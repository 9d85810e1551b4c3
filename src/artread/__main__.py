from artread.cli import main

main()
