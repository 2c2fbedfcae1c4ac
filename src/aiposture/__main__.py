from aiposture.cli import main

main()
