from artread.client import main

main()
